#include "server/GoTextSerializer.hpp"

#include <cmath>
#include <ostream>
#include <string_view>

#include "util/GoFormat.hpp"

namespace irsa::server {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricType;

// expfmt's writeFloat: Go's %v ("1e+06", "+Inf", "NaN").
void writeFloat(std::ostream& out, double v) {
  out << util::goFloatString(v);
}

// HELP text escapes \ and newline; label values also escape ".
void writeEscaped(std::ostream& out, std::string_view s, bool quote) {
  for (const char c : s) {
    if (c == '\\') {
      out << "\\\\";
    } else if (c == '\n') {
      out << "\\n";
    } else if (quote && c == '"') {
      out << "\\\"";
    } else {
      out << c;
    }
  }
}

// name_suffix{labels[,extra="value"]} ; no braces when there are no labels.
void writeSeries(std::ostream& out, const std::string& name, std::string_view suffix, const ClientMetric& m,
                 std::string_view extraName = {}, double extraValue = 0) {
  out << name << suffix;
  if (m.label.empty() && extraName.empty()) {
    out << ' ';
    return;
  }
  char separator = '{';
  for (const auto& label : m.label) {
    out << separator << label.name << "=\"";
    writeEscaped(out, label.value, true);
    out << '"';
    separator = ',';
  }
  if (!extraName.empty()) {
    out << separator << extraName << "=\"";
    writeFloat(out, extraValue);
    out << '"';
  }
  out << "} ";
}

void writeEnd(std::ostream& out, const ClientMetric& m) {
  if (m.timestamp_ms != 0) out << ' ' << m.timestamp_ms;
  out << '\n';
}

const char* typeName(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Summary:
      return "summary";
    case MetricType::Histogram:
      return "histogram";
    default:
      return "untyped";
  }
}

void writeMetric(std::ostream& out, const prometheus::MetricFamily& f, const ClientMetric& m) {
  switch (f.type) {
    case MetricType::Counter:
      writeSeries(out, f.name, "", m);
      writeFloat(out, m.counter.value);
      return writeEnd(out, m);
    case MetricType::Gauge:
      writeSeries(out, f.name, "", m);
      writeFloat(out, m.gauge.value);
      return writeEnd(out, m);
    case MetricType::Summary:
      for (const auto& q : m.summary.quantile) {
        writeSeries(out, f.name, "", m, "quantile", q.quantile);
        writeFloat(out, q.value);
        writeEnd(out, m);
      }
      writeSeries(out, f.name, "_sum", m);
      writeFloat(out, m.summary.sample_sum);
      writeEnd(out, m);
      writeSeries(out, f.name, "_count", m);
      out << m.summary.sample_count;
      return writeEnd(out, m);
    case MetricType::Histogram: {
      bool infSeen = false;
      for (const auto& b : m.histogram.bucket) {
        writeSeries(out, f.name, "_bucket", m, "le", b.upper_bound);
        out << b.cumulative_count;
        writeEnd(out, m);
        infSeen = infSeen || std::isinf(b.upper_bound);
      }
      if (!infSeen) {  // expfmt always ends with the +Inf bucket
        writeSeries(out, f.name, "_bucket", m, "le", INFINITY);
        out << m.histogram.sample_count;
        writeEnd(out, m);
      }
      writeSeries(out, f.name, "_sum", m);
      writeFloat(out, m.histogram.sample_sum);
      writeEnd(out, m);
      writeSeries(out, f.name, "_count", m);
      out << m.histogram.sample_count;
      return writeEnd(out, m);
    }
    default:
      writeSeries(out, f.name, "", m);
      writeFloat(out, m.untyped.value);
      return writeEnd(out, m);
  }
}

}  // namespace

void GoTextSerializer::Serialize(std::ostream& out,
                                 const std::vector<prometheus::MetricFamily>& families) const {
  for (const auto& f : families) {
    if (f.metric.empty()) continue;     // expfmt writes nothing for a family without series
    out << "# HELP " << f.name << ' ';  // the Go client always sets a help text
    writeEscaped(out, f.help, false);
    out << '\n';
    out << "# TYPE " << f.name << ' ' << typeName(f.type) << '\n';
    for (const auto& m : f.metric)
      writeMetric(out, f, m);
  }
}

}  // namespace irsa::server
