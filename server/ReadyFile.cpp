#include "server/ReadyFile.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace irsa::server {

util::Status writeReadyFile(const std::string& path, unsigned short port, unsigned short metricsPort) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("port");
  w.Uint(port);
  w.Key("metricsPort");
  w.Uint(metricsPort);
  w.Key("pid");
  w.Int(static_cast<int>(::getpid()));
  w.EndObject();

  // Same directory as `path`: rename() is atomic only within one filesystem.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto failed = [&](const char* step, int error) {
    std::remove(tmp.c_str());
    return util::fail("--ready-file " + path + ": cannot " + step + " " + tmp + ": " + std::strerror(error));
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return failed("create", errno);
    out << buffer.GetString() << '\n';
    out.close();
    if (!out) return failed("write", errno);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(tmp.c_str());
    return util::fail("--ready-file " + path + ": cannot rename " + tmp + " to it: " + std::strerror(error));
  }
  return util::okStatus();
}

}  // namespace irsa::server
