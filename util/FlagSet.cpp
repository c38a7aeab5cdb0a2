#include "util/FlagSet.hpp"

#include <charconv>
#include <cmath>
#include <sstream>
#include <utility>

#include "util/GoFormat.hpp"
#include "util/GoParse.hpp"

namespace irsa::util {
namespace {

template <typename Int>
Status parseInteger(const std::string& name, const std::string& value, Int* target) {
  Int parsed{};
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || ptr != value.data() + value.size() || value.empty()) {
    return fail("invalid value \"" + value + "\" for flag --" + name + ": not an integer");
  }
  *target = parsed;
  return okStatus();
}

std::string invalidValue(const std::string& name, const std::string& value, const std::string& why) {
  return "invalid value \"" + value + "\" for flag --" + name + ": " + why;
}

// Parses with `parse` (a Result<T>), then applies `accept`; `accept.want`,
// when given, replaces the parser's reason.
template <typename T, typename Parse>
std::function<Status(const std::string&)> typedSetter(const std::string& name, T* target, Parse parse,
                                                      Accept<T> accept) {
  return [name, target, parse, accept = std::move(accept)](const std::string& v) {
    auto parsed = parse(v);
    if (!parsed || (accept.test && !accept.test(*parsed))) {
      const std::string why = !accept.want.empty() ? accept.want : parsed ? "out of range" : parsed.error();
      return Status(fail(invalidValue(name, v, why)));
    }
    *target = *parsed;
    return okStatus();
  };
}

Result<double> parseFiniteFloat(const std::string& text) {
  auto parsed = goParseFloat(text);
  if (parsed && !std::isfinite(*parsed)) return fail("not a finite number");
  return parsed;
}

}  // namespace

void FlagSet::add(const std::string& name, Flag flag) {
  flags_[name] = std::move(flag);
}

void FlagSet::addString(const std::string& name, std::string* target, std::string help) {
  add(name, Flag{std::move(help), *target, false, [target](const std::string& v) {
                   *target = v;
                   return okStatus();
                 }});
}

void FlagSet::addBool(const std::string& name, bool* target, std::string help) {
  add(name,
      Flag{std::move(help), *target ? "true" : "false", true, [name, target](const std::string& v) {
             auto parsed = goParseBool(v);
             if (!parsed)
               return Status(fail("invalid value \"" + v + "\" for flag --" + name + ": not a boolean"));
             *target = *parsed;
             return okStatus();
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
                   auto parsed = goParseDuration(v);
                   if (!parsed) {
                     return Status(parsed.failure().within("invalid value \"" + v + "\" for flag --" + name));
                   }
                   *target = *parsed;
                   return okStatus();
                 }});
}

void FlagSet::addDuration(const std::string& name, std::chrono::nanoseconds* target, std::string help,
                          Accept<std::chrono::nanoseconds> accept) {
  add(name, Flag{std::move(help), goDurationString(*target), false,
                 typedSetter(name, target, goParseDurationNanos, std::move(accept))});
}

void FlagSet::addFloat64(const std::string& name, double* target, std::string help, Accept<double> accept) {
  add(name, Flag{std::move(help), goFloatString(*target), false,
                 typedSetter(name, target, parseFiniteFloat, std::move(accept))});
}

void FlagSet::addList(const std::string& name, std::vector<std::string>* target, std::string help) {
  std::string def;
  for (const auto& s : *target)
    def += (def.empty() ? "" : ",") + s;
  add(name, Flag{std::move(help), def, false, [this, name, target](const std::string& v) {
                   if (!wasSet(name)) target->clear();  // the first use replaces the default
                   std::stringstream ss(v);
                   std::string item;
                   while (std::getline(ss, item, ',')) {
                     if (!item.empty()) target->push_back(item);
                   }
                   return okStatus();
                 }});
}

void FlagSet::alias(const std::string& alias, const std::string& name) {
  aliases_[alias] = name;
}

void FlagSet::markNoEffect(const std::string& name, std::string why) {
  if (auto it = flags_.find(name); it != flags_.end()) it->second.noEffect = std::move(why);
}

void FlagSet::noDefault(const std::string& name) {
  if (auto it = flags_.find(name); it != flags_.end()) it->second.defaultText.clear();
}

const std::string* FlagSet::resolve(const std::string& name) const {
  if (auto a = aliases_.find(name); a != aliases_.end()) return &a->second;
  if (auto it = flags_.find(name); it != flags_.end()) return &it->first;
  return nullptr;
}

// pflag leaves non-flag arguments to the program; `bareBool` is the bool flag
// (as written) just before, when there was one: `--flag false` is the usual
// slip, and it turns the flag on.
Status FlagSet::strayArgument(const std::string& arg, const std::string& bareBool) {
  std::string message;
  if (!bareBool.empty() && goParseBool(arg)) {
    message = bareBool + " takes no separate value, so it is set to true and \"" + arg +
              "\" is ignored; write " + bareBool + "=" + arg;
  } else {
    message = "'" + program_ + " " + command_ + "' takes no positional arguments";
  }
  if (positional_ == Positional::kReject) {
    return fail("unexpected argument \"" + arg + "\": " + message);
  }
  warnings_.push_back(FlagWarning{arg, "ignored argument \"" + arg + "\": " + message});
  return okStatus();
}

Status FlagSet::parse(const std::vector<std::string>& args) {
  std::string bareBool;  // the previous argument, when it was a bool flag without a value
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const std::string previousBareBool = std::exchange(bareBool, std::string());
    if (arg == "--") {  // everything after it is positional
      for (++i; i < args.size(); ++i) {
        if (auto status = strayArgument(args[i], ""); !status) return status;
      }
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      if (auto status = strayArgument(arg, previousBareBool); !status) return status;
      continue;
    }
    const bool doubleDash = arg[1] == '-';
    const std::string body = arg.substr(doubleDash ? 2 : 1);
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
    const std::string* resolved = resolve(name);
    if (resolved == nullptr && !doubleDash) {
      // A pflag shorthand with its value attached: -v4, -v=4.
      const std::string* shorthand = resolve(body.substr(0, 1));
      const std::string rest = body.substr(1);
      if (shorthand != nullptr && !rest.empty() && (!flags_.at(*shorthand).isBool || rest.front() == '=')) {
        resolved = shorthand;
        value = rest.front() == '=' ? rest.substr(1) : rest;
        hasValue = true;
      }
    }
    if (resolved == nullptr) {
      return fail("unknown flag --" + name + " (see '" + program_ + " " + command_ + " --help')");
    }
    name = *resolved;
    Flag& flag = flags_.at(name);
    if (!hasValue) {
      if (flag.isBool) {
        value = "true";
        bareBool = arg;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return fail("flag --" + name + " needs a value");
      }
    }
    auto status = flag.set(value);
    if (!status) return status;
    set_.insert(name);
  }
  return okStatus();
}

std::vector<NoEffectFlag> FlagSet::noEffectSet() const {
  std::vector<NoEffectFlag> out;
  for (const auto& [name, flag] : flags_) {
    if (!flag.noEffect.empty() && wasSet(name)) out.push_back(NoEffectFlag{name, flag.noEffect});
  }
  return out;
}

void FlagSet::usageEntry(std::ostream& out, const std::string& name, const Flag& flag,
                         const std::string& note) const {
  out << "  --" << name;
  if (name.size() == 1) out << ", -" << name;
  for (const auto& [alias, target] : aliases_) {
    if (target == name) out << (alias.size() == 1 ? ", -" : ", --") << alias;
  }
  out << "\n      " << (note.empty() ? flag.help : note);
  if (!flag.defaultText.empty()) out << " (default " << flag.defaultText << ")";
  out << "\n";
}

std::string FlagSet::usage() const {
  std::ostringstream out;
  out << "Usage: " << program_ << " " << command_ << " [flags]\n\nFlags:\n";
  bool anyNoEffect = false;
  for (const auto& [name, flag] : flags_) {
    if (flag.noEffect.empty()) {
      usageEntry(out, name, flag, "");
    } else {
      anyNoEffect = true;
    }
  }
  out << "  -h, --help\n      show this help\n";
  if (anyNoEffect) {
    out << "\nAccepted for compatibility with the reference webhook, no effect here:\n";
    for (const auto& [name, flag] : flags_) {
      if (!flag.noEffect.empty()) usageEntry(out, name, flag, flag.noEffect);
    }
  }
  return out.str();
}

std::string formatDuration(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms == 0) return "0s";
  if (ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace irsa::util
