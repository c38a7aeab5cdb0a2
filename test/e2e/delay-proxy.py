#!/usr/bin/env python3
"""A loopback TCP proxy that delivers every byte DELAY_MS late, in both directions.

Usage: delay-proxy.py TARGET_PORT DELAY_MS
Listens on 127.0.0.1 at a free port, prints "listening PORT" on stdout, and
forwards each connection to 127.0.0.1:TARGET_PORT. TLS passes through untouched
(the client still verifies the target's certificate). The e2e race test puts it
between the webhook and the kube-apiserver: watch events, lists and GETs all
arrive late, as from a loaded apiserver or a slow network, so pods of
just-created ServiceAccounts reach the webhook before their ServiceAccount does.
"""
import asyncio
import sys
import time


async def pump(reader, writer, delay):
    """Copy reader to writer; each chunk is written `delay` seconds after it was read."""
    queue = asyncio.Queue()

    async def read():
        try:
            while True:
                data = await reader.read(65536)
                await queue.put((time.monotonic() + delay, data))
                if not data:
                    return
        except (ConnectionError, OSError):
            await queue.put((time.monotonic() + delay, b""))

    async def write():
        try:
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass

    await asyncio.gather(read(), write())


async def handle(client_reader, client_writer, target_port, delay):
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        client_writer.close()
        return
    try:
        await asyncio.gather(pump(client_reader, upstream_writer, delay),
                             pump(upstream_reader, client_writer, delay))
    finally:
        for w in (client_writer, upstream_writer):
            try:
                w.close()
            except OSError:
                pass


async def main():
    target_port, delay = int(sys.argv[1]), int(sys.argv[2]) / 1000.0
    server = await asyncio.start_server(lambda r, w: handle(r, w, target_port, delay), "127.0.0.1", 0)
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
