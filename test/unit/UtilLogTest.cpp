// The logger end to end: verbosity and -vmodule gating, and where lines go
// under klog's flags (stderr, --log_file, --log_dir), read back from files.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "test/support/TempDir.hpp"
#include "util/Log.hpp"

namespace irsa::util {
namespace {

namespace fs = std::filesystem;
using testsupport::readFile;

std::size_t count(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

class UtilLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stderrPath_ = dir_.file("stderr");
    stderrFd_ = ::open(stderrPath_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    ASSERT_GE(stderrFd_, 0);
  }
  void TearDown() override {
    ASSERT_TRUE(Log::configure(LogSettings{}));  // back to klog's defaults on the real stderr
    ::close(stderrFd_);
  }

  LogSettings settings(const LogOptions& options = {}) {
    auto parsed = parseLogOptions(options);
    EXPECT_TRUE(parsed) << parsed.error();
    LogSettings s = parsed ? *parsed : LogSettings{};
    s.stderrFd = stderrFd_;
    s.program = "irsa-test";
    return s;
  }
  void configure(const LogSettings& s) {
    auto status = Log::configure(s);
    ASSERT_TRUE(status) << status.error();
  }
  // One line of each severity.
  static void logAll() {
    Log::info("an info line");
    Log::warn("a warning line");
    Log::error("an error line");
  }
  std::string stderrText() const { return readFile(stderrPath_); }

  testsupport::TempDir dir_;
  std::string stderrPath_;
  int stderrFd_{-1};
};

TEST_F(UtilLogTest, VerbosityGatesInfoVAndDebug) {
  LogOptions o;
  o.verbosity = 2;
  configure(settings(o));
  Log::infoV(2, "shown at 2");
  Log::infoV(3, "hidden at 3");
  Log::debug("hidden debug");
  Log::info("always shown");
  EXPECT_TRUE(Log::enabled(2));
  EXPECT_FALSE(Log::enabled(3));
  const std::string out = stderrText();
  EXPECT_NE(out.find("] shown at 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("] always shown\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("hidden"), std::string::npos) << out;
  // The header names this file and the line of the call.
  EXPECT_TRUE(
      std::regex_search(out, std::regex(R"(^I\d{4} [0-9:.]{15} +\d+ UtilLogTest\.cpp:\d+\] shown at 2)")))
      << out;
}

TEST_F(UtilLogTest, VModuleRaisesTheLevelOfMatchingFilesOnly) {
  LogOptions o;
  o.vmodule = "UtilLog*=4,Server=5";
  configure(settings(o));
  Log::debug("debug from this file");
  EXPECT_TRUE(Log::enabled(4));
  EXPECT_FALSE(Log::enabled(5));
  const std::string out = stderrText();
  EXPECT_NE(out.find("] debug from this file"), std::string::npos) << out;

  o.vmodule = "Other=9";
  configure(settings(o));
  Log::debug("not for this file");
  EXPECT_EQ(stderrText().find("not for this file"), std::string::npos);
}

TEST_F(UtilLogTest, VModuleSyntaxIsKlogs) {
  auto rules = parseVModule("a=1,b*=2,,c=0,");
  ASSERT_TRUE(rules);
  ASSERT_EQ(rules->size(), 2u);  // c=0 is dropped, empty items ignored
  EXPECT_EQ(vmoduleLevel(*rules, "/x/y/a.cpp"), 1);
  EXPECT_EQ(vmoduleLevel(*rules, "bcd.hpp"), 2);
  EXPECT_EQ(vmoduleLevel(*rules, "c.cpp"), -1);
  EXPECT_FALSE(parseVModule("a"));
  EXPECT_FALSE(parseVModule("a=x"));
  EXPECT_FALSE(parseVModule("=1"));
  EXPECT_FALSE(parseVModule("a=-1"));
}

TEST_F(UtilLogTest, OptionErrorsNameTheFlag) {
  LogOptions o;
  o.format = "yaml";
  auto parsed = parseLogOptions(o);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().find("--logging-format"), std::string::npos) << parsed.error();
  o = {};
  o.stderrThreshold = "LOUD";
  parsed = parseLogOptions(o);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().find("--stderrthreshold"), std::string::npos) << parsed.error();
  o = {};
  o.logBacktraceAt = "main:12";
  EXPECT_FALSE(parseLogOptions(o));
  o.logBacktraceAt = "main.go:12";
  EXPECT_TRUE(parseLogOptions(o));
  EXPECT_EQ(*parseLogSeverity("warning"), LogSeverity::kWarning);
  EXPECT_EQ(*parseLogSeverity("2"), LogSeverity::kError);
}

TEST_F(UtilLogTest, LogToStderrWritesEverySeverityToStderrUnderTheLegacyRule) {
  configure(settings());  // klog's defaults: --logtostderr, --stderrthreshold=ERROR, legacy rule
  logAll();
  const std::string out = stderrText();
  EXPECT_EQ(count(out, " an info line\n") + count(out, " a warning line\n") + count(out, " an error line\n"),
            3u)
      << out;
}

TEST_F(UtilLogTest, LogToStderrHonoursTheThresholdWithoutTheLegacyRule) {
  LogOptions o;
  o.legacyStderrThresholdBehavior = false;
  o.stderrThreshold = "WARNING";
  configure(settings(o));
  logAll();
  const std::string out = stderrText();
  EXPECT_EQ(out.find("an info line"), std::string::npos) << out;
  EXPECT_NE(out.find("a warning line"), std::string::npos) << out;
  EXPECT_NE(out.find("an error line"), std::string::npos) << out;
}

TEST_F(UtilLogTest, LogFileGetsEveryLineAndStderrOnlyThoseAtTheThreshold) {
  LogOptions o;
  o.logToStderr = false;
  o.logFile = dir_.file("webhook.log");
  configure(settings(o));
  logAll();
  const std::string file = readFile(o.logFile);
  EXPECT_EQ(file.rfind("Log file created at: ", 0), 0u) << file;
  EXPECT_NE(file.find("\nLog line format: [IWEF]mmdd hh:mm:ss.uuuuuu threadid file:line] msg\n"),
            std::string::npos);
  EXPECT_EQ(
      count(file, " an info line\n") + count(file, " a warning line\n") + count(file, " an error line\n"), 3u)
      << file;
  const std::string out = stderrText();
  EXPECT_EQ(out.find("an info line"), std::string::npos) << out;
  EXPECT_EQ(out.find("a warning line"), std::string::npos) << out;
  EXPECT_NE(out.find("an error line"), std::string::npos) << out;
}

TEST_F(UtilLogTest, AlsoLogToStderrCopiesLinesAtItsThreshold) {
  LogOptions o;
  o.logToStderr = false;
  o.alsoLogToStderr = true;
  o.skipLogHeaders = true;
  o.logFile = dir_.file("webhook.log");
  configure(settings(o));
  Log::info("first info");
  EXPECT_NE(stderrText().find("first info"), std::string::npos);  // threshold INFO by default
  EXPECT_EQ(readFile(o.logFile).rfind("I", 0), 0u) << "no file header with --skip_log_headers";

  o.alsoLogToStderrThreshold = "WARNING";
  configure(settings(o));
  Log::info("second info");
  Log::warn("second warning");
  const std::string out = stderrText();
  EXPECT_EQ(out.find("second info"), std::string::npos) << out;
  EXPECT_NE(out.find("second warning"), std::string::npos) << out;
  // The file was appended to, not truncated, when opened again.
  EXPECT_NE(readFile(o.logFile).find("first info"), std::string::npos);
}

TEST_F(UtilLogTest, LogFileStartsOverAtItsMaximumSize) {
  LogOptions o;
  o.logToStderr = false;
  o.skipLogHeaders = true;
  o.logFile = dir_.file("webhook.log");
  LogSettings s = settings(o);
  s.logFileMaxBytes = 300;
  configure(s);
  for (int i = 0; i < 20; ++i)
    Log::info("line number " + std::to_string(i));
  const std::string file = readFile(o.logFile);
  EXPECT_LT(file.size(), 300u) << file;
  EXPECT_NE(file.find("line number 19\n"), std::string::npos) << file;
  EXPECT_EQ(file.find("line number 0\n"), std::string::npos) << file;
}

TEST_F(UtilLogTest, LogDirHasOneFilePerSeverityWithKlogsNamesAndLinks) {
  LogOptions o;
  o.logToStderr = false;
  o.logDir = dir_.file("logs");
  fs::create_directory(o.logDir);
  configure(settings(o));
  logAll();
  const fs::path dir(o.logDir);
  for (const char* severity : {"INFO", "WARNING", "ERROR", "FATAL"}) {
    const fs::path link = dir / (std::string("irsa-test.") + severity);
    ASSERT_TRUE(fs::is_symlink(link)) << link;
    const std::string target = fs::read_symlink(link).string();
    EXPECT_TRUE(std::regex_match(target, std::regex(std::string(R"(irsa-test\.[^.]+\.[^.]+\.log\.)") +
                                                    severity + R"(\.\d{8}-\d{6}\.\d+)")))
        << target;
  }
  const std::string info = readFile(dir / "irsa-test.INFO");
  const std::string warning = readFile(dir / "irsa-test.WARNING");
  const std::string error = readFile(dir / "irsa-test.ERROR");
  // A line goes to its severity's file and to every lower one.
  EXPECT_EQ(count(info, "] a"), 3u) << info;
  EXPECT_EQ(count(warning, "] a"), 2u) << warning;
  EXPECT_EQ(count(error, "] an error line"), 1u) << error;
  EXPECT_EQ(error.find("a warning line"), std::string::npos) << error;
}

TEST_F(UtilLogTest, OneOutputKeepsALineInItsOwnSeveritysFile) {
  LogOptions o;
  o.logToStderr = false;
  o.oneOutput = true;
  o.logDir = dir_.file("logs");
  fs::create_directory(o.logDir);
  configure(settings(o));
  logAll();
  const std::string info = readFile(fs::path(o.logDir) / "irsa-test.INFO");
  EXPECT_NE(info.find("an info line"), std::string::npos);
  EXPECT_EQ(info.find("a warning line"), std::string::npos) << info;
}

TEST_F(UtilLogTest, AnUnwritableLogDirFailsConfigure) {
  LogOptions o;
  o.logToStderr = false;
  o.logFile = dir_.file("no-such-dir/webhook.log");
  auto status = Log::configure(settings(o));
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().find("no-such-dir"), std::string::npos) << status.error();
}

TEST_F(UtilLogTest, JsonFormatWritesOneObjectPerLine) {
  LogOptions o;
  o.format = "json";
  configure(settings(o));
  Log::warn("Service account default/app not found in the cache. Not mutating.");
  Log::error("Watch failed", {{"err", "refused"}});
  const std::string out = stderrText();
  EXPECT_EQ(count(out, "\n"), 2u) << out;
  EXPECT_NE(out.find(R"("msg":"Service account default/app not found in the cache. Not mutating.","v":0})"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(R"("caller":"unit/UtilLogTest.cpp:)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("msg":"Watch failed","err":"refused"})"), std::string::npos) << out;
}

}  // namespace
}  // namespace irsa::util
