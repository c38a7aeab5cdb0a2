// irsa-bench's command line: bad input gets one clear line and exit 2,
// an unreachable server exit 1; help and corpus work.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "bench/test/BenchBinary.hpp"
#include "test/support/TempDir.hpp"

namespace irsa::bench {
namespace {

using testsupport::TempDir;

class BenchCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const auto r = runBench({"corpus", "--out", corpus(), "--count", "20", "--size", "small"}, dir_->path());
    ASSERT_EQ(r.status.code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string corpus() { return dir_->file("corpus"); }

  // Runs `run` against `url` with the shared corpus plus `extra`.
  static testsupport::RunResult run(std::vector<std::string> extra,
                                    const std::string& url = "https://127.0.0.1:1/mutate") {
    std::vector<std::string> args = {"run", "--url", url, "--corpus", corpus(), "--insecure"};
    args.insert(args.end(), extra.begin(), extra.end());
    return runBench(args, dir_->path());
  }

  static void expectUsageError(const testsupport::RunResult& r, const std::string& message) {
    EXPECT_TRUE(r.status.exited);
    EXPECT_EQ(r.status.code, 2) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << "stderr: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }

  static TempDir* dir_;
};

TempDir* BenchCliTest::dir_ = nullptr;

TEST_F(BenchCliTest, UnknownFlagIsRefused) {
  expectUsageError(run({"--rate", "10", "--bogus", "1"}), "irsa-bench run: unknown flag --bogus");
}

TEST_F(BenchCliTest, BadRatesAreRefused) {
  expectUsageError(run({"--rate", "fast"}), "invalid value \"fast\" for flag --rate");
  expectUsageError(run({"--rate", "-5"}), "invalid value \"-5\" for flag --rate");
  expectUsageError(run({"--rate", "nan"}), "invalid value \"nan\" for flag --rate");
  expectUsageError(run({}), "--rate is required");
}

TEST_F(BenchCliTest, SaturateRatesAndBoundAreCheckedAsParsedThenTogether) {
  const auto saturate = [](std::vector<std::string> extra) {
    std::vector<std::string> args = {"saturate", "--url",  "https://127.0.0.1:1/",
                                     "--corpus", corpus(), "--insecure"};
    args.insert(args.end(), extra.begin(), extra.end());
    return runBench(args, dir_->path());
  };
  const std::string want = ": want requests per second, a number from 0 to 10000000";
  expectUsageError(saturate({"--start-rate", "x"}), "invalid value \"x\" for flag --start-rate" + want);
  expectUsageError(saturate({"--max-rate", "1e8"}), "invalid value \"1e8\" for flag --max-rate" + want);
  expectUsageError(saturate({"--p99-bound", "61s"}),
                   "invalid value \"61s\" for flag --p99-bound: want a duration like 2ms or 500us");
  expectUsageError(saturate({"--p99-bound", "0s"}), "for flag --p99-bound");
  expectUsageError(saturate({"--start-rate", "600", "--max-rate", "500"}),
                   "want 1 <= --start-rate <= --max-rate");
  expectUsageError(saturate({"--start-rate", "0.5"}), "want 1 <= --start-rate <= --max-rate");
  expectUsageError(saturate({"--p99-bound", "500us", "--max-steps", "0"}),
                   "--max-steps must be between 1 and 100");
}

TEST_F(BenchCliTest, MissingCorpusDirectoryIsRefused) {
  const auto r = runBench({"run", "--url", "https://127.0.0.1:1/mutate", "--corpus", dir_->file("nowhere"),
                           "--insecure", "--rate", "10"},
                          dir_->path());
  expectUsageError(r, "--corpus " + dir_->file("nowhere") + ": no requests.jsonl there");
}

TEST_F(BenchCliTest, OtherBadFlagsAreRefused) {
  expectUsageError(run({"--rate", "10", "--connections", "0"}), "--connections must be between");
  expectUsageError(run({"--rate", "10", "--duration", "soon"}), "for flag --duration");
  expectUsageError(run({"--rate", "10", "--ca-file", "/x"}), "give exactly one of --ca-file");
  expectUsageError(run({"--rate", "10"}, "http://127.0.0.1:1/mutate"), "invalid --url");
  expectUsageError(run({"--rate", "10", "--server-pid", "2147483000"}),
                   "--server-pid: process 2147483000 not found");
  expectUsageError(run({"--rate", "10", "--json", "/no/such/dir/out.json"}),
                   "directory /no/such/dir does not exist");
  expectUsageError(runBench({"corpus", "--out", dir_->file("x"), "--mix", "mutated=1,weird=2"}, dir_->path()),
                   "unknown kind \"weird\"");
  expectUsageError(runBench({"corpus", "--out", dir_->file("x"), "--size", "huge"}, dir_->path()),
                   "invalid --size \"huge\"");
  expectUsageError(runBench({"corpus", "--count", "5"}, dir_->path()), "--out is required");
  expectUsageError(runBench({"saturate", "--url", "https://127.0.0.1:1/", "--corpus", corpus(), "--insecure",
                             "--p99-bound", "fast"},
                            dir_->path()),
                   "for flag --p99-bound");
  const auto unknown = runBench({"bogus"}, dir_->path());
  EXPECT_EQ(unknown.status.code, 2);
  EXPECT_NE(unknown.err.find("unknown command \"bogus\""), std::string::npos) << unknown.err;
}

TEST_F(BenchCliTest, UnreachableServerFailsWithExitOne) {
  // A port that was just free: nothing listens there.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor probe(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const std::string port = std::to_string(probe.local_endpoint().port());
  probe.close();
  const auto r = run({"--rate", "10", "--requests", "5", "--warmup", "0", "--timeout", "2s"},
                     "https://127.0.0.1:" + port + "/mutate");
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot connect to https://127.0.0.1:" + port + "/mutate"), std::string::npos)
      << r.err;
}

TEST_F(BenchCliTest, HelpListsTheFlags) {
  for (const char* command : {"corpus", "run", "saturate", "storm", "handshakes"}) {
    const auto r = runBench({command, "--help"}, dir_->path());
    EXPECT_EQ(r.status.code, 0) << command;
    EXPECT_NE(r.out.find(std::string("Usage: irsa-bench ") + command + " [flags]"), std::string::npos)
        << r.out;
  }
  const auto top = runBench({"--help"}, dir_->path());
  EXPECT_EQ(top.status.code, 0);
  EXPECT_NE(top.out.find("saturate"), std::string::npos);
}

TEST_F(BenchCliTest, CorpusCommandIsDeterministic) {
  for (const char* out : {"d1", "d2"}) {
    const auto r =
        runBench({"corpus", "--out", dir_->file(out), "--count", "30", "--seed", "99"}, dir_->path());
    ASSERT_EQ(r.status.code, 0) << r.err;
    EXPECT_NE(r.out.find("wrote 30 requests"), std::string::npos) << r.out;
  }
  EXPECT_EQ(testsupport::readFile(dir_->path() / "d1" / "requests.jsonl"),
            testsupport::readFile(dir_->path() / "d2" / "requests.jsonl"));
}

}  // namespace
}  // namespace irsa::bench
