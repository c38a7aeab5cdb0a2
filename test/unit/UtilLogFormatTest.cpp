// The two log line formats, byte for byte: klog's text header and its
// key="value" quoting (strconv.Quote), and Kubernetes' JSON lines.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <regex>

#include "util/LogFormat.hpp"

namespace irsa::util {
namespace {

using namespace std::chrono_literals;

// 2026-12-02 05:30:54.532453 UTC.
const auto kTime = std::chrono::system_clock::time_point(std::chrono::microseconds(1796189454532453LL));

class UtilLogFormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    savedTz_ = tz != nullptr ? std::optional<std::string>(tz) : std::nullopt;
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
  void TearDown() override {
    if (savedTz_) {
      ::setenv("TZ", savedTz_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

  static std::string text(LogSeverity severity, std::string_view msg, Fields fields,
                          TextFormat format = {false, false, 6926}) {
    LogRecord record{severity, 0, msg, fields, "/src/irsa/server/Server.cpp", 157, kTime};
    std::string out;
    formatText(out, record, format);
    return out;
  }
  // The part after the header's "] ".
  static std::string body(Fields fields, std::string_view msg = "m") {
    const std::string line = text(LogSeverity::kInfo, msg, fields);
    return line.substr(line.find("] ") + 2);
  }

  std::optional<std::string> savedTz_;
};

TEST_F(UtilLogFormatTest, TextLineHasKlogsHeader) {
  EXPECT_EQ(text(LogSeverity::kInfo, "Listening on :8443", {}),
            "I1202 05:30:54.532453    6926 Server.cpp:157] Listening on :8443\n");
  EXPECT_EQ(text(LogSeverity::kWarning, "w", {}).substr(0, 1), "W");
  EXPECT_EQ(text(LogSeverity::kError, "e", {}).substr(0, 1), "E");
  const std::regex header(R"(^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d{6} {1,7}\d+ [^ /]+\.cpp:\d+\] )");
  EXPECT_TRUE(std::regex_search(text(LogSeverity::kInfo, "x", {}, {false, false, 1}), header));
  EXPECT_EQ(text(LogSeverity::kInfo, "x", {}, {false, false, 1}).substr(21, 10), "       1 S");
}

TEST_F(UtilLogFormatTest, SkipHeadersAndAddDirHeader) {
  EXPECT_EQ(text(LogSeverity::kInfo, "msg", {{"k", 1}}, {true, false, 1}), "msg k=1\n");
  EXPECT_NE(
      text(LogSeverity::kInfo, "msg", {}, {false, true, 1}).find(" /src/irsa/server/Server.cpp:157] msg"),
      std::string::npos);
}

TEST_F(UtilLogFormatTest, PairsFollowTheMessageWithKlogsQuoting) {
  EXPECT_EQ(body({{"pod", "web-1"}, {"count", 3}, {"ok", true}}), "m pod=\"web-1\" count=3 ok=true\n");
  EXPECT_EQ(body({{"n", -5}, {"u", 7u}, {"off", false}}), "m n=-5 u=7 off=false\n");
  EXPECT_EQ(body({{"empty", ""}}), "m empty=\"\"\n");
  EXPECT_EQ(body({{"q", "say \"hi\" \\ bye"}}), "m q=\"say \\\"hi\\\" \\\\ bye\"\n");
  EXPECT_EQ(body({{"s", "a=b c"}}), "m s=\"a=b c\"\n");
}

TEST_F(UtilLogFormatTest, QuotingEscapesAsGoStrconvQuote) {
  const auto quoted = [](std::string_view s) {
    std::string out;
    appendGoQuoted(out, s);
    return out;
  };
  EXPECT_EQ(quoted("line\nbreak\ttab\r"), R"("line\nbreak\ttab\r")");
  EXPECT_EQ(quoted(std::string("\a\b\f\v\x01\x7f", 6)), R"("\a\b\f\v\x01\x7f")");
  EXPECT_EQ(quoted("caf\xC3\xA9"), "\"caf\xC3\xA9\"");            // printable UTF-8 stays
  EXPECT_EQ(quoted("\xF0\x9F\x98\x80"), "\"\xF0\x9F\x98\x80\"");  // so do emoji
  EXPECT_EQ(quoted("\xff"
                   "a"),
            R"("\xffa")");                                   // invalid UTF-8: the byte
  EXPECT_EQ(quoted("\xC3"), R"("\xc3")");                    // truncated sequence
  EXPECT_EQ(quoted("\xED\xA0\x80"), R"("\xed\xa0\x80")");    // a surrogate is invalid
  EXPECT_EQ(quoted("\xC2\xA0"), R"("\u00a0")");              // no-break space
  EXPECT_EQ(quoted("\xE2\x80\xA8"), R"("\u2028")");          // line separator
  EXPECT_EQ(quoted("\xEF\xBB\xBF"), R"("\ufeff")");          // byte order mark
  EXPECT_EQ(quoted("\xF3\xB0\x80\x80"), R"("\U000f0000")");  // private use, plane 15
}

TEST_F(UtilLogFormatTest, MessagesStayOnOneLine) {
  EXPECT_EQ(body({}, "two\nlines"), "\"two\\nlines\"\n");
  EXPECT_EQ(body({}, "Pod was mutated."), "Pod was mutated.\n");
}

TEST_F(UtilLogFormatTest, NumbersAndDurationsPrintAsGoDoes) {
  EXPECT_EQ(goFloatString(0.5), "0.5");
  EXPECT_EQ(goFloatString(123456), "123456");
  EXPECT_EQ(goFloatString(1e6), "1e+06");
  EXPECT_EQ(goFloatString(1234567), "1.234567e+06");
  EXPECT_EQ(goFloatString(0.0001), "0.0001");
  EXPECT_EQ(goFloatString(0.00001), "1e-05");
  EXPECT_EQ(goFloatString(-2.5), "-2.5");
  EXPECT_EQ(goDurationString(0s), "0s");
  EXPECT_EQ(goDurationString(2s), "2s");
  EXPECT_EQ(goDurationString(1500ms), "1.5s");
  EXPECT_EQ(goDurationString(250ms), "250ms");
  EXPECT_EQ(goDurationString(90s), "1m30s");
  EXPECT_EQ(goDurationString(3600s), "1h0m0s");
  EXPECT_EQ(goDurationString(std::chrono::microseconds(1500)), "1.5ms");
  EXPECT_EQ(goDurationString(std::chrono::microseconds(3)), "3\xC2\xB5s");
  EXPECT_EQ(goDurationString(std::chrono::nanoseconds(42)), "42ns");
  EXPECT_EQ(goDurationString(-1500ms), "-1.5s");
  EXPECT_EQ(body({{"timeout", 10s}}), "m timeout=\"10s\"\n");
}

TEST_F(UtilLogFormatTest, JsonLineHasKubernetesFieldsAndParsesBack) {
  LogRecord record{
      LogSeverity::kInfo, 3, "Pod was mutated.", {}, "/src/irsa/server/AdmissionHandler.cpp", 130, kTime};
  const Fields fields{{"pod", "web \"1\"\n"}, {"count", 2}, {"big", 18446744073709551615ULL},
                      {"ratio", 0.25},        {"ok", true}, {"timeout", 2s}};
  record.fields = fields;
  std::string line;
  formatJson(line, record);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  EXPECT_EQ(line.rfind("{\"ts\":", 0), 0u) << line;

  rapidjson::Document doc;
  doc.Parse(line.c_str());
  ASSERT_FALSE(doc.HasParseError()) << line;
  EXPECT_DOUBLE_EQ(doc["ts"].GetDouble(), 1796189454532.453);  // milliseconds, as component-base writes
  EXPECT_STREQ(doc["caller"].GetString(), "server/AdmissionHandler.cpp:130");
  EXPECT_STREQ(doc["msg"].GetString(), "Pod was mutated.");
  EXPECT_EQ(doc["v"].GetInt(), 3);
  EXPECT_STREQ(doc["pod"].GetString(), "web \"1\"\n");
  EXPECT_EQ(doc["count"].GetInt(), 2);
  EXPECT_EQ(doc["big"].GetUint64(), 18446744073709551615ULL);
  EXPECT_DOUBLE_EQ(doc["ratio"].GetDouble(), 0.25);
  EXPECT_TRUE(doc["ok"].GetBool());
  EXPECT_STREQ(doc["timeout"].GetString(), "2s");
  // Field order as zap writes it: ts, caller, msg, v, then the pairs.
  std::vector<std::string> keys;
  for (const auto& m : doc.GetObject())
    keys.emplace_back(m.name.GetString());
  EXPECT_EQ(keys, (std::vector<std::string>{"ts", "caller", "msg", "v", "pod", "count", "big", "ratio", "ok",
                                            "timeout"}));
}

TEST_F(UtilLogFormatTest, JsonErrorHasErrAndNoVerbosity) {
  const Fields fields{{"err", "connection refused"}, {"nan", std::nan("")}};
  LogRecord record{LogSeverity::kError, 0, "Watch failed", fields, "Reflector.cpp", 221, kTime};
  std::string line;
  formatJson(line, record);
  rapidjson::Document doc;
  doc.Parse(line.c_str());
  ASSERT_FALSE(doc.HasParseError()) << line;
  EXPECT_FALSE(doc.HasMember("v")) << line;
  EXPECT_STREQ(doc["err"].GetString(), "connection refused");
  EXPECT_STREQ(doc["nan"].GetString(), "NaN");
  EXPECT_STREQ(doc["caller"].GetString(), "Reflector.cpp:221");
}

}  // namespace
}  // namespace irsa::util
