#pragma once
// Command-line flags with the reference webhook's syntax (Go pflag):
// `--name=value`, `--name value`, `-name=value`, `-name value` (Go flag style),
// bare `--bool` for true, and one-character names as pflag shorthands
// (`-v4`, `-v=4`, `-v 4`). Each flag writes straight into a field of the
// config struct it was bound to.

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "util/Result.hpp"

namespace irsa::util {

// Something on the command line that parse() accepted but the user should
// hear about (e.g. `--bool false`, where `false` is not the flag's value).
struct FlagWarning {
  std::string argument;  // the argument concerned, as written
  std::string message;   // what happened and what to write instead
};

// An accepted flag that changes nothing here, and why.
struct NoEffectFlag {
  std::string name;
  std::string why;
};

// A limit on a typed flag's value, checked as it is parsed: a value of the
// right type that `test` refuses fails like a malformed one, with the message
// `invalid value "<text>" for flag --<name>: <want>`. `want` is the reason for
// a malformed value too, so one sentence tells what the flag takes.
template <typename T>
struct Accept {
  std::function<bool(const T&)> test;
  std::string want;
};

class FlagSet {
 public:
  // What parse() does with an argument that is not a flag (or comes after `--`).
  enum class Positional {
    kReject,  // an error: the command takes flags only
    kWarn,    // ignored with a warning, as pflag leaves them to the reference, which ignores them
  };

  // `program` names the binary in usage(): irsa-webhook and irsa-bench both parse with it.
  explicit FlagSet(std::string command, std::string program = "irsa-webhook")
      : command_(std::move(command)), program_(std::move(program)) {}

  void addString(const std::string& name, std::string* target, std::string help);
  void addBool(const std::string& name, bool* target, std::string help);
  void addInt(const std::string& name, int* target, std::string help);
  void addInt64(const std::string& name, std::int64_t* target, std::string help);
  void addSize(const std::string& name, std::size_t* target, std::string help);
  void addDuration(const std::string& name, std::chrono::milliseconds* target, std::string help);
  // Go's time.ParseDuration to the nanosecond, for bounds below a millisecond.
  void addDuration(const std::string& name, std::chrono::nanoseconds* target, std::string help,
                   Accept<std::chrono::nanoseconds> accept = {});
  // pflag's Float64 (strconv.ParseFloat), except that NaN and infinities are
  // refused: no flag here means anything by them.
  void addFloat64(const std::string& name, double* target, std::string help, Accept<double> accept = {});
  // Comma-separated; repeating the flag appends.
  void addList(const std::string& name, std::vector<std::string>* target, std::string help);
  // A second name for an existing flag (e.g. "verbosity" for "v").
  void alias(const std::string& alias, const std::string& name);
  // Declares an added flag "accepted for compatibility, no effect here":
  // usage() lists it in a section of its own with `why`, and noEffectSet()
  // names it when the command line sets it.
  void markNoEffect(const std::string& name, std::string why);
  // For a flag the command requires: usage() shows no default for it.
  void noDefault(const std::string& name);
  void positional(Positional mode) { positional_ = mode; }

  // Parses `args` (without the program and command names). `-h`/`--help`
  // sets helpRequested(). Arguments that are not flags follow positional().
  Status parse(const std::vector<std::string>& args);

  bool helpRequested() const { return help_; }
  bool wasSet(const std::string& name) const { return set_.count(name) > 0; }
  // Accumulated over parse() calls, in command-line order.
  const std::vector<FlagWarning>& warnings() const { return warnings_; }
  // The flags marked no-effect that were set, in name order.
  std::vector<NoEffectFlag> noEffectSet() const;
  std::string usage() const;

 private:
  struct Flag {
    std::string help;
    std::string defaultText;
    bool isBool{false};
    std::function<Status(const std::string&)> set;
    // Non-empty: why the flag has no effect here. Only markNoEffect() sets it,
    // so the add*() functions leave it out (the {} says that is meant).
    std::string noEffect{};
  };
  void add(const std::string& name, Flag flag);
  // The flag `name` (or alias) stands for; nullptr when unknown.
  const std::string* resolve(const std::string& name) const;
  Status strayArgument(const std::string& arg, const std::string& afterBareBool);
  void usageEntry(std::ostream& out, const std::string& name, const Flag& flag,
                  const std::string& note) const;

  std::string command_;
  std::string program_;
  std::map<std::string, Flag> flags_;
  std::map<std::string, std::string> aliases_;
  std::set<std::string> set_;
  std::vector<FlagWarning> warnings_;
  Positional positional_{Positional::kReject};
  bool help_{false};
};

std::string formatDuration(std::chrono::milliseconds d);

}  // namespace irsa::util
