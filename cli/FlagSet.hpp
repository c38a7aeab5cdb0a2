#pragma once
// Command-line flags with the reference webhook's syntax (Go pflag):
// `--name=value`, `--name value`, `-name`, and bare `--bool` for true.
// Each flag writes straight into a field of the config struct it was bound to.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "util/Result.hpp"

namespace irsa::cli {

class FlagSet {
 public:
  // `program` names the binary in usage() (irsa-bench reuses this parser).
  explicit FlagSet(std::string command, std::string program = "irsa-webhook")
      : command_(std::move(command)), program_(std::move(program)) {}

  void addString(const std::string& name, std::string* target, std::string help);
  void addBool(const std::string& name, bool* target, std::string help);
  void addInt(const std::string& name, int* target, std::string help);
  void addInt64(const std::string& name, std::int64_t* target, std::string help);
  void addSize(const std::string& name, std::size_t* target, std::string help);
  void addDuration(const std::string& name, std::chrono::milliseconds* target, std::string help);
  // Comma-separated; repeating the flag appends.
  void addList(const std::string& name, std::vector<std::string>* target, std::string help);
  // A second name for an existing flag (e.g. "v" for "verbosity").
  void alias(const std::string& alias, const std::string& name);

  // Parses `args` (without the program and command names). Positional
  // arguments are an error. `-h`/`--help` sets helpRequested().
  util::Status parse(const std::vector<std::string>& args);

  bool helpRequested() const { return help_; }
  bool wasSet(const std::string& name) const { return set_.count(name) > 0; }
  std::string usage() const;

 private:
  struct Flag {
    std::string help;
    std::string defaultText;
    bool isBool{false};
    std::function<util::Status(const std::string&)> set;
  };
  void add(const std::string& name, Flag flag);

  std::string command_;
  std::string program_;
  std::map<std::string, Flag> flags_;
  std::map<std::string, std::string> aliases_;
  std::set<std::string> set_;
  bool help_{false};
};

std::string formatDuration(std::chrono::milliseconds d);

}  // namespace irsa::cli
