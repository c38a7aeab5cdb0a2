#include "util/LogFormat.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "util/JsonWriter.hpp"

namespace irsa::util {
namespace {

constexpr char kSeverityChar[] = "IWEF";

// Decodes one UTF-8 sequence as Go does: 0 when invalid (then one byte is
// taken), else its length.
int decodeRune(std::string_view s, std::size_t i, char32_t& rune) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const auto cont = [&](std::size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  const auto at = [&](std::size_t k) {
    return static_cast<char32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F);
  };
  if (b0 < 0x80) {
    rune = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
    rune = (static_cast<char32_t>(b0 & 0x1F) << 6) | at(1);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2)) {
    rune = (static_cast<char32_t>(b0 & 0x0F) << 12) | (at(1) << 6) | at(2);
    if (rune < 0x800 || (rune >= 0xD800 && rune <= 0xDFFF)) return 0;  // overlong, surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    rune = (static_cast<char32_t>(b0 & 0x07) << 18) | (at(1) << 12) | (at(2) << 6) | at(3);
    if (rune < 0x10000 || rune > 0x10FFFF) return 0;
    return 4;
  }
  return 0;
}

// strconv.IsPrint for non-ASCII runes: the spaces, controls, format and
// private-use characters Go escapes. (Unassigned code points, which Go also
// escapes, pass through: keeping Unicode's tables here is not worth it.)
bool isPrintNonAscii(char32_t r) {
  struct Range {
    char32_t lo, hi;
  };
  static constexpr Range kNotPrint[] = {
      {0x80, 0xA0},       {0xAD, 0xAD},       {0x600, 0x605},     {0x61C, 0x61C},      {0x6DD, 0x6DD},
      {0x70F, 0x70F},     {0x1680, 0x1680},   {0x180E, 0x180E},   {0x2000, 0x200F},    {0x2028, 0x202F},
      {0x205F, 0x2064},   {0x2066, 0x206F},   {0x3000, 0x3000},   {0xE000, 0xF8FF},    {0xFEFF, 0xFEFF},
      {0xFFF9, 0xFFFB},   {0xFFFE, 0xFFFF},   {0x110BD, 0x110BD}, {0x13430, 0x1343F},  {0x1BCA0, 0x1BCA3},
      {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xF0000, 0x10FFFF},
  };
  for (const auto& range : kNotPrint) {
    if (r >= range.lo && r <= range.hi) return false;
  }
  return true;
}

void appendHex(std::string& out, const char* prefix, unsigned long value, int digits) {
  char buf[16];
  const int n = std::snprintf(buf, sizeof buf, "%s%0*lx", prefix, digits, value);
  out.append(buf, static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(sizeof buf) - 1)));
}

// klog's Infof prints its message as is; one that would break the line is
// quoted instead, so every event stays one line.
void appendMessage(std::string& out, std::string_view msg) {
  for (char c : msg) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      appendGoQuoted(out, msg);
      return;
    }
  }
  out.append(msg);
}

void appendTextValue(std::string& out, const LogField::Value& value) {
  switch (value.index()) {
    case 0:
      appendGoQuoted(out, std::get<std::string>(value));
      break;
    case 1:
      out.append(std::to_string(std::get<std::int64_t>(value)));
      break;
    case 2:
      out.append(std::to_string(std::get<std::uint64_t>(value)));
      break;
    case 3:
      out.append(goFloatString(std::get<double>(value)));
      break;
    default:
      out.append(std::get<bool>(value) ? "true" : "false");
  }
}

// zap's ShortCallerEncoder: the last directory and the file name.
std::string_view trimmedPath(std::string_view file) {
  const auto last = file.rfind('/');
  if (last == std::string_view::npos || last == 0) return file;
  const auto previous = file.rfind('/', last - 1);
  return previous == std::string_view::npos ? file : file.substr(previous + 1);
}

}  // namespace

void appendGoQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    char32_t r = 0;
    const int width = decodeRune(s, i, r);
    if (width == 0) {  // invalid UTF-8: the byte, in hex
      appendHex(out, "\\x", static_cast<unsigned char>(s[i]), 2);
      ++i;
      continue;
    }
    i += static_cast<std::size_t>(width);
    if (r == '"' || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
    } else if (r >= 0x20 && r < 0x7F) {
      out.push_back(static_cast<char>(r));
    } else if (r < 0x80) {
      switch (r) {
        case '\a':
          out.append("\\a");
          break;
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        case '\v':
          out.append("\\v");
          break;
        default:
          appendHex(out, "\\x", r, 2);
      }
    } else if (isPrintNonAscii(r)) {
      out.append(s.substr(i - static_cast<std::size_t>(width), static_cast<std::size_t>(width)));
    } else if (r < 0x10000) {
      appendHex(out, "\\u", r, 4);
    } else {
      appendHex(out, "\\U", r, 8);
    }
  }
  out.push_back('"');
}

void formatText(std::string& out, const LogRecord& r, const TextFormat& format) {
  if (!format.skipHeaders) {
    using namespace std::chrono;
    const std::time_t secs = system_clock::to_time_t(r.time);
    const auto micros = duration_cast<microseconds>(r.time.time_since_epoch()).count() % 1000000;
    std::tm tm{};
    localtime_r(&secs, &tm);
    std::string_view file = r.file;
    if (!format.addDirHeader) {
      if (const auto slash = file.rfind('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
    }
    char header[96];
    const int n = std::snprintf(header, sizeof header, "%c%02d%02d %02d:%02d:%02d.%06lld %7d ",
                                kSeverityChar[static_cast<int>(r.severity) & 3], tm.tm_mon + 1, tm.tm_mday,
                                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros), format.pid);
    out.append(header, static_cast<std::size_t>(n));
    out.append(file).push_back(':');
    out.append(std::to_string(r.line)).append("] ");
  }
  appendMessage(out, r.msg);
  for (const auto& field : r.fields) {
    out.push_back(' ');
    out.append(field.key).push_back('=');
    appendTextValue(out, field.value);
  }
  out.push_back('\n');
}

void formatJson(std::string& out, const LogRecord& r) {
  using namespace std::chrono;
  util::JsonBuffer buffer;
  util::JsonWriter w(buffer);
  w.StartObject();
  w.Key("ts");
  w.Double(static_cast<double>(duration_cast<nanoseconds>(r.time.time_since_epoch()).count()) / 1e6);
  w.Key("caller");
  const std::string caller = std::string(trimmedPath(r.file)) + ":" + std::to_string(r.line);
  w.String(caller.data(), static_cast<rapidjson::SizeType>(caller.size()));
  w.Key("msg");
  w.String(r.msg.data(), static_cast<rapidjson::SizeType>(r.msg.size()));
  if (r.severity != LogSeverity::kError && r.severity != LogSeverity::kFatal) {
    w.Key("v");
    w.Int(r.level);
  }
  for (const auto& field : r.fields) {
    w.Key(field.key.data(), static_cast<rapidjson::SizeType>(field.key.size()));
    switch (field.value.index()) {
      case 0: {
        const auto& s = std::get<std::string>(field.value);
        w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        break;
      }
      case 1:
        w.Int64(std::get<std::int64_t>(field.value));
        break;
      case 2:
        w.Uint64(std::get<std::uint64_t>(field.value));
        break;
      case 3: {
        const double d = std::get<double>(field.value);
        if (std::isfinite(d)) {
          w.Double(d);
        } else {  // zap writes these as strings: JSON has no NaN
          const std::string s = goFloatString(d);
          w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        }
        break;
      }
      default:
        w.Bool(std::get<bool>(field.value));
    }
  }
  w.EndObject();
  out.append(buffer.GetString(), buffer.GetSize());
  out.push_back('\n');
}

}  // namespace irsa::util
