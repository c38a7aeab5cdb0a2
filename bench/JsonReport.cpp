#include "bench/JsonReport.hpp"

#include <chrono>
#include <cmath>
#include <ctime>

#ifndef IRSA_VERSION
#define IRSA_VERSION "dev"
#endif

namespace irsa::bench {
namespace {

std::string utcNow() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(text, n);
}

void number(JsonWriter& w, const char* key, double value) {
  w.Key(key);
  w.Double(round3(value));
}

void count(JsonWriter& w, const char* key, std::uint64_t value) {
  w.Key(key);
  w.Uint64(value);
}

}  // namespace

double toMs(LatencyHistogram::Nanos ns) {
  return std::round(static_cast<double>(ns) / 1e3) / 1e3;
}

double round3(double value) {
  return std::round(value * 1000.0) / 1000.0;
}

double serverCpuSeconds(const RunResult& r) {
  if (!r.serverStart || !r.serverEnd) return -1;
  return r.serverEnd->cpuSeconds - r.serverStart->cpuSeconds;
}

void beginReport(JsonWriter& w, std::string_view command, const LoadConfig& config) {
  w.StartObject();
  w.Key("schemaVersion");
  w.Int(kReportSchemaVersion);
  w.Key("tool");
  w.String("irsa-bench");
  w.Key("version");
  w.String(IRSA_VERSION);
  w.Key("command");
  w.String(command.data(), static_cast<rapidjson::SizeType>(command.size()));
  w.Key("label");
  w.String(config.label);
  w.Key("startedAt");
  w.String(utcNow());
}

void writeLoadConfig(JsonWriter& w, const LoadConfig& c, const RequestCorpus& corpus) {
  w.Key("url");
  w.String(c.url.text);
  w.Key("corpus");
  w.StartObject();
  w.Key("dir");
  w.String(corpus.dir());
  count(w, "requests", corpus.size());
  w.Key("kinds");
  w.StartObject();
  static constexpr const char* kKinds[kKindSlots] = {"mutated", "plain", "configmap", "unknown"};
  for (std::size_t i = 0; i < kKindSlots; ++i)
    count(w, kKinds[i], corpus.kindCount(i));
  w.EndObject();
  count(w, "meanBytes", corpus.meanBodyBytes());
  w.EndObject();
  count(w, "connections", c.connections);
  w.Key("mode");
  w.String(c.openLoop() ? "open" : "closed");
  number(w, "rate", c.rate);
  w.Key("durationSeconds");
  if (c.requests > 0) {
    w.Null();
  } else {
    w.Double(round3(std::chrono::duration<double>(c.duration).count()));
  }
  number(w, "warmupSeconds", std::chrono::duration<double>(c.warmup).count());
  w.Key("requests");
  if (c.requests > 0) {
    w.Uint64(c.requests);
  } else {
    w.Null();
  }
  w.Key("newConnectionPerRequest");
  w.Bool(c.newConnectionPerRequest);
  count(w, "threads", c.threads);
  number(w, "timeoutSeconds", std::chrono::duration<double>(c.timeout).count());
  w.Key("tls");
  w.String(c.tls.insecure ? "insecure" : "ca-file");
  w.Key("serverPid");
  if (c.serverPid != 0) {
    w.Int(c.serverPid);
  } else {
    w.Null();
  }
}

void writeLatency(JsonWriter& w, const LatencyHistogram& h) {
  w.StartObject();
  count(w, "count", h.count());
  number(w, "min", toMs(h.min()));
  number(w, "mean", h.mean() / 1e6);
  number(w, "p50", toMs(h.percentile(50)));
  number(w, "p90", toMs(h.percentile(90)));
  number(w, "p99", toMs(h.percentile(99)));
  number(w, "p999", toMs(h.percentile(99.9)));
  number(w, "max", toMs(h.max()));
  w.EndObject();
}

void writeRunResult(JsonWriter& w, const RunResult& r, const LoadConfig& c) {
  w.StartObject();
  writeRunResultMembers(w, r, c);
  w.EndObject();
}

namespace {

// "errors" by kind, then "sentByKind".
void writeErrorsAndKinds(JsonWriter& w, const RunStats& s) {
  w.Key("errors");
  w.StartObject();
  count(w, "connect", s.errors.connect);
  count(w, "tls", s.errors.tls);
  count(w, "io", s.errors.io);
  count(w, "timeout", s.errors.timeout);
  count(w, "total", s.errors.total());
  w.EndObject();
  w.Key("sentByKind");
  w.StartObject();
  count(w, "mutated", s.sentByKind[0]);
  count(w, "plain", s.sentByKind[1]);
  count(w, "configmap", s.sentByKind[2]);
  count(w, "unknown", s.sentByKind[3]);
  w.EndObject();
}

// The server process's CPU time and memory over the window; null without --server-pid.
void writeServerUsage(JsonWriter& w, const RunResult& r, const LoadConfig& c) {
  const RunStats& s = r.stats;
  const double cpu = serverCpuSeconds(r);
  if (cpu < 0) {
    w.Null();
  } else {
    const double answered = static_cast<double>(s.ok + s.non2xx + s.invalid);
    w.StartObject();
    w.Key("pid");
    w.Int(c.serverPid);
    number(w, "cpuSeconds", cpu);
    w.Key("cpuSecondsPer1000Requests");
    if (answered > 0) {
      w.Double(std::round(cpu / answered * 1000.0 * 1e6) / 1e6);
    } else {
      w.Null();
    }
    w.Key("requestsPerCpuSecond");
    if (cpu > 0) {
      w.Double(round3(answered / cpu));
    } else {
      w.Null();
    }
    count(w, "rssBytesStart", r.serverStart->rssBytes);
    count(w, "rssBytesEnd", r.serverEnd->rssBytes);
    count(w, "hwmBytes", r.serverEnd->hwmBytes);
    w.EndObject();
  }
}

}  // namespace

void writeRunResultMembers(JsonWriter& w, const RunResult& r, const LoadConfig& c) {
  const RunStats& s = r.stats;
  count(w, "requests", s.requests);
  count(w, "ok", s.ok);
  count(w, "mutated", s.mutated);
  count(w, "non2xx", s.non2xx);
  count(w, "invalid", s.invalid);
  writeErrorsAndKinds(w, s);
  w.Key("targetRate");
  if (c.openLoop()) {
    w.Double(round3(c.rate));
  } else {
    w.Null();
  }
  number(w, "achievedRate", r.achievedRate);
  number(w, "elapsedSeconds", r.elapsedSeconds);
  number(w, "completedSeconds", r.completedSeconds);
  w.Key("latencyMs");
  writeLatency(w, s.latency);
  w.Key("handshakes");
  w.StartObject();
  count(w, "count", s.handshakes.count());
  w.Key("latencyMs");
  writeLatency(w, s.handshakes);
  w.EndObject();
  w.Key("server");
  writeServerUsage(w, r, c);
  w.Key("client");
  w.StartObject();
  number(w, "cpuSeconds", r.clientCpuSeconds);
  w.EndObject();
  count(w, "setupConnectFailures", r.setupConnectFailures);
}

}  // namespace irsa::bench
