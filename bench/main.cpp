// irsa-bench: dispatches subcommands; all behaviour lives in bench/.
#include <string>
#include <vector>

#include "bench/Commands.hpp"

int main(int argc, char** argv) {
  return irsa::bench::benchMain(std::vector<std::string>(argv + 1, argv + argc));
}
