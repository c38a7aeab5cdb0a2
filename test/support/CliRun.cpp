#include "test/support/CliRun.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/support/TempDir.hpp"

namespace irsa::testsupport {

CliResult runCli(const std::filesystem::path& scratch, const std::vector<std::string>& args,
                 const std::optional<std::string>& stdinText) {
  const std::string outPath = (scratch / "cli.stdout").string();
  const std::string errPath = (scratch / "cli.stderr").string();
  std::string inPath = "/dev/null";
  if (stdinText) {
    inPath = (scratch / "cli.stdin").string();
    writeFileAtomically(inPath, *stdinText);
  }
  std::vector<std::string> argv{IRSA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv)
    cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int in = open(inPath.c_str(), O_RDONLY);
    if (out < 0 || err < 0 || in < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  CliResult r;
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return r;
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = readFile(outPath);
  r.err = readFile(errPath);
  return r;
}

}  // namespace irsa::testsupport
