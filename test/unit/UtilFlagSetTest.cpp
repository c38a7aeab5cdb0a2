// util/FlagSet: Go pflag syntax for the reference's flags (the duration
// syntax itself: UtilGoDurationTest.cpp).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "util/FlagSet.hpp"
#include "util/GoParse.hpp"

using irsa::util::FlagSet;
using irsa::util::goParseDuration;
using std::chrono::milliseconds;

namespace {

// One of every flag kind, with non-zero defaults.
struct Flags {
  std::string name{"default-name"};
  bool on{false};
  bool yes{true};
  int count{1};
  std::int64_t big{2};
  std::size_t size{3};
  milliseconds wait{milliseconds(2000)};
  std::vector<std::string> list{"x"};
  int v{0};
  bool q{false};
  std::string stale{"old"};
  double ratio{0.5};
  double positive{50};
  std::chrono::nanoseconds bound{std::chrono::milliseconds(2)};
  FlagSet set{"test"};

  Flags() {
    set.addString("name", &name, "a string");
    set.addBool("on", &on, "a bool");
    set.addBool("yes", &yes, "a bool that defaults to true");
    set.addInt("count", &count, "an int");
    set.addInt64("big", &big, "an int64");
    set.addSize("size", &size, "a size");
    set.addDuration("wait", &wait, "a duration");
    set.addList("list", &list, "a list");
    set.alias("n", "name");
    set.addInt("v", &v, "a one-character int: also a shorthand");
    set.alias("verbosity", "v");
    set.addBool("q", &q, "a one-character bool");
    set.addString("stale", &stale, "");
    set.markNoEffect("stale", "kept for old manifests");
    set.addFloat64("ratio", &ratio, "a float64");
    set.addFloat64("positive", &positive, "a float64 above 0",
                   {[](double v) { return v > 0; }, "not a positive number"});
    set.addDuration("bound", &bound, "a duration to the nanosecond, up to 1s",
                    {[](std::chrono::nanoseconds d) { return d > d.zero() && d <= std::chrono::seconds(1); },
                     "want a duration like 2ms or 500us"});
  }

  irsa::util::Status parse(std::vector<std::string> args) { return set.parse(args); }
};

TEST(UtilFlagSet, LongFlagWithEquals) {
  Flags f;
  ASSERT_TRUE(f.parse({"--name=b"}).ok());
  EXPECT_EQ(f.name, "b");
  EXPECT_TRUE(f.set.wasSet("name"));
  EXPECT_FALSE(f.set.wasSet("count"));
}

TEST(UtilFlagSet, LongFlagWithSeparateValue) {
  Flags f;
  ASSERT_TRUE(f.parse({"--name", "b", "--count", "7"}).ok());
  EXPECT_EQ(f.name, "b");
  EXPECT_EQ(f.count, 7);
}

TEST(UtilFlagSet, SingleDashFlagsWorkLikeDoubleDash) {
  Flags f;
  ASSERT_TRUE(f.parse({"-name=b", "-count", "9"}).ok());
  EXPECT_EQ(f.name, "b");
  EXPECT_EQ(f.count, 9);
}

TEST(UtilFlagSet, ValueAfterEqualsMayContainEqualsAndBeEmpty) {
  Flags f;
  ASSERT_TRUE(f.parse({"--name=a=b"}).ok());
  EXPECT_EQ(f.name, "a=b");
  ASSERT_TRUE(f.parse({"--name="}).ok());
  EXPECT_EQ(f.name, "");
}

TEST(UtilFlagSet, SeparateValueMayStartWithADash) {
  Flags f;
  ASSERT_TRUE(f.parse({"--name", "-x"}).ok());
  EXPECT_EQ(f.name, "-x");
}

TEST(UtilFlagSet, BareBoolMeansTrueAndDoesNotTakeTheNextArgument) {
  Flags f;
  ASSERT_TRUE(f.parse({"--on", "--count=4"}).ok());
  EXPECT_TRUE(f.on);
  EXPECT_EQ(f.count, 4);
  Flags g;
  auto status = g.parse({"--on", "false"});
  ASSERT_FALSE(status.ok());  // "false" is a stray positional argument, as in pflag
  EXPECT_NE(status.error().find("unexpected argument \"false\""), std::string::npos) << status.error();
  EXPECT_NE(status.error().find("write --on=false"), std::string::npos) << status.error();
}

TEST(UtilFlagSet, BoolThenAWordWarnsWhenPositionalsAreWarnings) {
  // pflag: `--on false` turns --on on and leaves "false" as a positional
  // argument, which the reference ignores.
  Flags f;
  f.set.positional(FlagSet::Positional::kWarn);
  ASSERT_TRUE(f.parse({"--on", "false", "--count=4", "-yes", "true"}).ok());
  EXPECT_TRUE(f.on);
  EXPECT_TRUE(f.yes);
  EXPECT_EQ(f.count, 4);  // parsing goes on after the stray word
  ASSERT_EQ(f.set.warnings().size(), 2u);
  EXPECT_EQ(f.set.warnings()[0].argument, "false");
  EXPECT_NE(f.set.warnings()[0].message.find("--on"), std::string::npos) << f.set.warnings()[0].message;
  EXPECT_NE(f.set.warnings()[0].message.find("set to true"), std::string::npos)
      << f.set.warnings()[0].message;
  EXPECT_NE(f.set.warnings()[0].message.find("write --on=false"), std::string::npos)
      << f.set.warnings()[0].message;
  EXPECT_EQ(f.set.warnings()[1].argument, "true");
  EXPECT_NE(f.set.warnings()[1].message.find("write -yes=true"), std::string::npos)
      << f.set.warnings()[1].message;
}

TEST(UtilFlagSet, OtherPositionalsWarnWhenPositionalsAreWarnings) {
  Flags f;
  f.set.positional(FlagSet::Positional::kWarn);
  ASSERT_TRUE(f.parse({"extra", "--name=a", "-", "--", "--count=5", "tail"}).ok());
  EXPECT_EQ(f.name, "a");
  EXPECT_EQ(f.count, 1);  // after `--` nothing is a flag
  std::vector<std::string> ignored;
  for (const auto& w : f.set.warnings()) {
    ignored.push_back(w.argument);
    EXPECT_NE(w.message.find("ignored argument \"" + w.argument + "\""), std::string::npos) << w.message;
    EXPECT_NE(w.message.find("takes no positional arguments"), std::string::npos) << w.message;
  }
  EXPECT_EQ(ignored, (std::vector<std::string>{"extra", "-", "--count=5", "tail"}));
  // A word after a non-bool flag is that flag's value, not stray.
  Flags g;
  g.set.positional(FlagSet::Positional::kWarn);
  ASSERT_TRUE(g.parse({"--name", "true"}).ok());
  EXPECT_EQ(g.name, "true");
  EXPECT_TRUE(g.set.warnings().empty());
  // A bool word that does not follow a bare bool gets the generic warning.
  Flags h;
  h.set.positional(FlagSet::Positional::kWarn);
  ASSERT_TRUE(h.parse({"--on=true", "false"}).ok());
  ASSERT_EQ(h.set.warnings().size(), 1u);
  EXPECT_NE(h.set.warnings()[0].message.find("takes no positional arguments"), std::string::npos);
}

TEST(UtilFlagSet, ShorthandTakesItsValueInEveryPflagForm) {
  for (std::vector<std::string> args : {std::vector<std::string>{"-v4"},
                                        {"-v=4"},
                                        {"-v", "4"},
                                        {"--v=4"},
                                        {"--v", "4"},
                                        {"-verbosity=4"},
                                        {"--verbosity", "4"}}) {
    Flags f;
    ASSERT_TRUE(f.parse(args).ok()) << args[0];
    EXPECT_EQ(f.v, 4) << args[0];
    EXPECT_TRUE(f.set.wasSet("v")) << args[0];
    EXPECT_TRUE(f.set.warnings().empty()) << args[0];
  }
}

TEST(UtilFlagSet, ShorthandErrorsNameTheFlag) {
  Flags f;
  auto status = f.parse({"-vx"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().rfind("invalid value \"x\" for flag --v", 0), 0u) << status.error();
  // `--v4` is a long name, and there is no such flag.
  auto longForm = f.parse({"--v4"});
  ASSERT_FALSE(longForm.ok());
  EXPECT_NE(longForm.error().find("unknown flag --v4"), std::string::npos) << longForm.error();
  // A bool shorthand takes a value only after `=`.
  Flags g;
  ASSERT_TRUE(g.parse({"-q=true"}).ok());
  EXPECT_TRUE(g.q);
  auto attached = g.parse({"-qtrue"});
  ASSERT_FALSE(attached.ok());
  EXPECT_NE(attached.error().find("unknown flag --qtrue"), std::string::npos) << attached.error();
}

TEST(UtilFlagSet, NoEffectFlagsParseAndAreReportedWhenSet) {
  Flags f;
  ASSERT_TRUE(f.parse({"--name=a"}).ok());
  EXPECT_TRUE(f.set.noEffectSet().empty());
  ASSERT_TRUE(f.parse({"--stale", "new"}).ok());
  EXPECT_EQ(f.stale, "new");
  ASSERT_EQ(f.set.noEffectSet().size(), 1u);
  EXPECT_EQ(f.set.noEffectSet()[0].name, "stale");
  EXPECT_EQ(f.set.noEffectSet()[0].why, "kept for old manifests");
}

TEST(UtilFlagSet, UsageListsNoEffectFlagsInASectionOfTheirOwn) {
  Flags f;
  const std::string usage = f.set.usage();
  const auto section = usage.find("no effect here:");
  ASSERT_NE(section, std::string::npos) << usage;
  const auto stale = usage.find("--stale");
  ASSERT_NE(stale, std::string::npos) << usage;
  EXPECT_GT(stale, section) << usage;
  EXPECT_NE(usage.find("kept for old manifests", section), std::string::npos) << usage;
  EXPECT_LT(usage.find("--name"), section) << usage;
  EXPECT_EQ(usage.find("--name", section), std::string::npos) << usage;
}

TEST(UtilFlagSet, BoolWithExplicitValue) {
  Flags f;
  ASSERT_TRUE(f.parse({"--yes=false", "--on=1"}).ok());
  EXPECT_FALSE(f.yes);
  EXPECT_TRUE(f.on);
  ASSERT_TRUE(f.parse({"--yes=T"}).ok());
  EXPECT_TRUE(f.yes);
}

TEST(UtilFlagSet, BadBoolValueIsAnError) {
  Flags f;
  auto status = f.parse({"--on=yes"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "invalid value \"yes\" for flag --on: not a boolean");
}

TEST(UtilFlagSet, UnknownFlagNamesTheFlagAndTheHelp) {
  Flags f;
  auto status = f.parse({"--nope=1"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "unknown flag --nope (see 'irsa-webhook test --help')");
}

TEST(UtilFlagSet, MissingValueIsAnError) {
  Flags f;
  auto status = f.parse({"--name"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "flag --name needs a value");
}

TEST(UtilFlagSet, BadIntegersAreErrors) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--count=abc"},
                                        {"--count=1.5"},
                                        {"--count="},
                                        {"--count=12x"},
                                        {"--count=99999999999"},
                                        {"--big=9223372036854775808"},
                                        {"--size=-1"},
                                        {"--count", " 1"}}) {
    Flags f;
    auto status = f.parse(args);
    ASSERT_FALSE(status.ok()) << args[0];
    EXPECT_NE(status.error().find("not an integer"), std::string::npos) << status.error();
    EXPECT_EQ(f.count, 1);  // the target keeps its default
  }
}

TEST(UtilFlagSet, IntegersParse) {
  Flags f;
  ASSERT_TRUE(f.parse({"--count=-3", "--big=9223372036854775807", "--size=4096"}).ok());
  EXPECT_EQ(f.count, -3);
  EXPECT_EQ(f.big, INT64_MAX);
  EXPECT_EQ(f.size, 4096u);
}

TEST(UtilFlagSet, DurationFlagParsesAndReportsBadValues) {
  Flags f;
  ASSERT_TRUE(f.parse({"--wait=1m30s"}).ok());
  EXPECT_EQ(f.wait, milliseconds(90000));
  auto status = f.parse({"--wait=5"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().rfind("invalid value \"5\" for flag --wait: ", 0), 0u) << status.error();
}

TEST(UtilFlagSet, Float64TakesWhatStrconvParseFloatTakes) {
  for (const auto& [text, value] : std::vector<std::pair<std::string, double>>{{"2", 2},
                                                                               {"+0.25", 0.25},
                                                                               {"-1.5", -1.5},
                                                                               {".5", 0.5},
                                                                               {"1e3", 1000},
                                                                               {"1E-2", 0.01},
                                                                               {"7.", 7}}) {
    Flags f;
    ASSERT_TRUE(f.parse({"--ratio", text}).ok()) << text;
    EXPECT_DOUBLE_EQ(f.ratio, value) << text;
    EXPECT_TRUE(f.set.wasSet("ratio"));
  }
}

TEST(UtilFlagSet, BadFloat64SaysWhatStrconvParseFloatSays) {
  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"x", "strconv.ParseFloat: parsing \"x\": invalid syntax"},
           {"", "strconv.ParseFloat: parsing \"\": invalid syntax"},
           {" 1", "strconv.ParseFloat: parsing \" 1\": invalid syntax"},
           {"1,5", "strconv.ParseFloat: parsing \"1,5\": invalid syntax"},
           {"+-1", "strconv.ParseFloat: parsing \"+-1\": invalid syntax"},
           {"0x10", "strconv.ParseFloat: parsing \"0x10\": invalid syntax"},
           {"1e400", "strconv.ParseFloat: parsing \"1e400\": value out of range"},
           {"nan", "not a finite number"},
           {"-Inf", "not a finite number"}}) {
    Flags f;
    auto status = f.parse({"--ratio=" + text});
    ASSERT_FALSE(status.ok()) << text;
    EXPECT_EQ(status.error(), "invalid value \"" + text + "\" for flag --ratio: " + why);
    EXPECT_EQ(f.ratio, 0.5);  // the target keeps its default
  }
}

TEST(UtilFlagSet, AcceptRefusesWithItsOwnReasonForMalformedValuesToo) {
  for (const char* text : {"0", "-2", "x", "inf"}) {
    Flags f;
    auto status = f.parse({"--positive", text});
    ASSERT_FALSE(status.ok()) << text;
    EXPECT_EQ(status.error(),
              std::string("invalid value \"") + text + "\" for flag --positive: not a positive number");
    EXPECT_EQ(f.positive, 50);
  }
  Flags f;
  ASSERT_TRUE(f.parse({"--positive=0.001"}).ok());
  EXPECT_DOUBLE_EQ(f.positive, 0.001);
}

TEST(UtilFlagSet, NanosecondDurationParsesBelowAMillisecondWithinItsBounds) {
  Flags f;
  ASSERT_TRUE(f.parse({"--bound=500us"}).ok());
  EXPECT_EQ(f.bound, std::chrono::microseconds(500));
  ASSERT_TRUE(f.parse({"--bound", "1.5ms"}).ok());
  EXPECT_EQ(f.bound, std::chrono::microseconds(1500));
  ASSERT_TRUE(f.parse({"--bound=250ns"}).ok());
  EXPECT_EQ(f.bound, std::chrono::nanoseconds(250));
  for (const char* text : {"2", "0s", "2s", "fast", "-1ms"}) {
    Flags g;
    auto status = g.parse({"--bound", text});
    ASSERT_FALSE(status.ok()) << text;
    EXPECT_EQ(status.error(), std::string("invalid value \"") + text +
                                  "\" for flag --bound: want a duration like 2ms or 500us");
    EXPECT_EQ(g.bound, milliseconds(2));
  }
}

TEST(UtilFlagSet, UsageShowsFloatAndNanosecondDefaultsAsGoPrintsThem) {
  Flags f;
  const std::string usage = f.set.usage();
  EXPECT_NE(usage.find("a float64 (default 0.5)"), std::string::npos) << usage;
  EXPECT_NE(usage.find("a float64 above 0 (default 50)"), std::string::npos) << usage;
  EXPECT_NE(usage.find("up to 1s (default 2ms)"), std::string::npos) << usage;
  f.set.noDefault("ratio");
  EXPECT_EQ(f.set.usage().find("(default 0.5)"), std::string::npos) << f.set.usage();
}

TEST(UtilFlagSet, ListReplacesTheDefaultOnFirstUseThenAppends) {
  Flags f;
  ASSERT_TRUE(f.parse({"--list=a,b", "--list", "c", "--list=,d,"}).ok());
  EXPECT_EQ(f.list, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(UtilFlagSet, UnusedListKeepsItsDefault) {
  Flags f;
  ASSERT_TRUE(f.parse({"--name=z"}).ok());
  EXPECT_EQ(f.list, (std::vector<std::string>{"x"}));
}

TEST(UtilFlagSet, AliasSetsTheTargetFlag) {
  Flags f;
  ASSERT_TRUE(f.parse({"-n", "via-alias"}).ok());
  EXPECT_EQ(f.name, "via-alias");
  EXPECT_TRUE(f.set.wasSet("name"));
  Flags g;
  ASSERT_TRUE(g.parse({"--n=other"}).ok());
  EXPECT_EQ(g.name, "other");
}

TEST(UtilFlagSet, HelpFlagsSetHelpRequested) {
  for (const char* h : {"-h", "--help", "-help"}) {
    Flags f;
    EXPECT_FALSE(f.set.helpRequested());
    ASSERT_TRUE(f.parse({h}).ok()) << h;
    EXPECT_TRUE(f.set.helpRequested()) << h;
  }
}

TEST(UtilFlagSet, PositionalArgumentsAreErrorsByDefault) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"extra"}, {"-"}, {"--name=a", "extra"}, {"--", "extra"}}) {
    Flags f;
    auto status = f.parse(args);
    ASSERT_FALSE(status.ok()) << args.back();
    EXPECT_NE(status.error().find("unexpected argument"), std::string::npos) << status.error();
  }
  Flags f;
  EXPECT_TRUE(f.parse({"--name=a", "--"}).ok());
}

TEST(UtilFlagSet, UsageListsFlagsDefaultsAndAliases) {
  Flags f;
  const std::string usage = f.set.usage();
  EXPECT_NE(usage.find("Usage: irsa-webhook test [flags]"), std::string::npos) << usage;
  EXPECT_NE(usage.find("--name, -n"), std::string::npos) << usage;
  EXPECT_NE(usage.find("--v, -v, --verbosity"), std::string::npos) << usage;
  EXPECT_NE(usage.find("(default default-name)"), std::string::npos) << usage;
  EXPECT_NE(usage.find("(default 2s)"), std::string::npos) << usage;
  EXPECT_NE(usage.find("--help"), std::string::npos) << usage;
}

}  // namespace
