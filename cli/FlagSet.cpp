#include "cli/FlagSet.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

#include "webhook/GoStrings.hpp"

namespace irsa::cli {
namespace {

template <typename Int>
util::Status parseInteger(const std::string& name, const std::string& value, Int* target) {
  Int parsed{};
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || ptr != value.data() + value.size() || value.empty()) {
    return util::fail("invalid value \"" + value + "\" for flag --" + name + ": not an integer");
  }
  *target = parsed;
  return util::okStatus();
}

}  // namespace

void FlagSet::add(const std::string& name, Flag flag) { flags_[name] = std::move(flag); }

void FlagSet::addString(const std::string& name, std::string* target, std::string help) {
  add(name, Flag{std::move(help), *target, false, [target](const std::string& v) {
                   *target = v;
                   return util::okStatus();
                 }});
}

void FlagSet::addBool(const std::string& name, bool* target, std::string help) {
  add(name, Flag{std::move(help), *target ? "true" : "false", true, [name, target](const std::string& v) {
                   auto parsed = webhook::goParseBool(v);
                   if (!parsed) return util::Status(util::fail("invalid value \"" + v + "\" for flag --" + name +
                                                               ": not a boolean"));
                   *target = *parsed;
                   return util::okStatus();
                 }});
}

void FlagSet::addInt(const std::string& name, int* target, std::string help) {
  add(name, Flag{std::move(help), std::to_string(*target), false,
                 [name, target](const std::string& v) { return parseInteger(name, v, target); }});
}

void FlagSet::addInt64(const std::string& name, std::int64_t* target, std::string help) {
  add(name, Flag{std::move(help), std::to_string(*target), false,
                 [name, target](const std::string& v) { return parseInteger(name, v, target); }});
}

void FlagSet::addSize(const std::string& name, std::size_t* target, std::string help) {
  add(name, Flag{std::move(help), std::to_string(*target), false,
                 [name, target](const std::string& v) { return parseInteger(name, v, target); }});
}

void FlagSet::addDuration(const std::string& name, std::chrono::milliseconds* target, std::string help) {
  add(name, Flag{std::move(help), formatDuration(*target), false, [name, target](const std::string& v) {
                   auto parsed = parseGoDuration(v);
                   if (!parsed) {
                     return util::Status(
                         util::fail("invalid value \"" + v + "\" for flag --" + name + ": " + parsed.error()));
                   }
                   *target = *parsed;
                   return util::okStatus();
                 }});
}

void FlagSet::addList(const std::string& name, std::vector<std::string>* target, std::string help) {
  std::string def;
  for (const auto& s : *target) def += (def.empty() ? "" : ",") + s;
  add(name, Flag{std::move(help), def, false, [this, name, target](const std::string& v) {
                   if (!wasSet(name)) target->clear();  // the first use replaces the default
                   std::stringstream ss(v);
                   std::string item;
                   while (std::getline(ss, item, ',')) {
                     if (!item.empty()) target->push_back(item);
                   }
                   return util::okStatus();
                 }});
}

void FlagSet::alias(const std::string& alias, const std::string& name) { aliases_[alias] = name; }

util::Status FlagSet::parse(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      if (i + 1 < args.size()) return util::fail("unexpected argument \"" + args[i + 1] + "\"");
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') return util::fail("unexpected argument \"" + arg + "\"");
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string name = body;
    std::string value;
    bool hasValue = false;
    if (auto eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      hasValue = true;
    }
    if (name == "h" || name == "help") {
      help_ = true;
      continue;
    }
    if (auto a = aliases_.find(name); a != aliases_.end()) name = a->second;
    auto it = flags_.find(name);
    if (it == flags_.end()) return util::fail("unknown flag --" + name + " (see '" + command_ + " --help')");
    Flag& flag = it->second;
    if (!hasValue) {
      if (flag.isBool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return util::fail("flag --" + name + " needs a value");
      }
    }
    auto status = flag.set(value);
    if (!status) return status;
    set_.insert(name);
  }
  return util::okStatus();
}

std::string FlagSet::usage() const {
  std::ostringstream out;
  out << "Usage: irsa-webhook " << command_ << " [flags]\n\nFlags:\n";
  for (const auto& [name, flag] : flags_) {
    out << "  --" << name;
    for (const auto& [alias, target] : aliases_) {
      if (target == name) out << ", -" << alias;
    }
    out << "\n      " << flag.help;
    if (!flag.defaultText.empty()) out << " (default " << flag.defaultText << ")";
    out << "\n";
  }
  out << "  -h, --help\n      show this help\n";
  return out.str();
}

util::Result<std::chrono::milliseconds> parseGoDuration(const std::string& text) {
  // Go's time.ParseDuration grammar: [+]{number unit}+, number = digits
  // [. digits] or . digits; "0" alone is allowed. Negative durations are
  // refused: no flag here means anything by them.
  const auto invalid = [&](const char* why) {
    return util::Result<std::chrono::milliseconds>(util::fail(std::string(why) + " in duration \"" + text + "\""));
  };
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return invalid("empty");
  std::size_t i = 0;
  if (text[0] == '-') return invalid("negative value");
  if (text[0] == '+') ++i;
  if (i == text.size()) return invalid("missing number");
  constexpr long double kMaxMs = 9.2e15L;  // well inside int64 milliseconds
  long double totalMs = 0;
  while (i < text.size()) {
    long double number = 0;
    bool digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      number = number * 10 + (text[i++] - '0');
      digits = true;
      if (number > kMaxMs) return invalid("overflow");
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        number += (text[i++] - '0') * scale;
        scale /= 10;
        digits = true;
      }
    }
    if (!digits) return invalid("missing number");
    const std::size_t unitStart = i;
    while (i < text.size() && !(text[i] >= '0' && text[i] <= '9') && text[i] != '.') ++i;
    const std::string unit = text.substr(unitStart, i - unitStart);
    long double scale = 0;
    if (unit == "ns") scale = 1e-6L;
    else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") scale = 1e-3L;
    else if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1e3L;
    else if (unit == "m") scale = 60e3L;
    else if (unit == "h") scale = 3600e3L;
    else return invalid(unit.empty() ? "missing unit" : "unknown unit");
    totalMs += number * scale;
    if (totalMs > kMaxMs) return invalid("overflow");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(static_cast<double>(totalMs))));
}

std::string formatDuration(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms == 0) return "0s";
  if (ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace irsa::cli
