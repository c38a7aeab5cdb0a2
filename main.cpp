// irsa-webhook: dispatches subcommands; all behaviour lives in the layers.
#include "cli/Main.hpp"

int main(int argc, char** argv) {
  return irsa::cli::run(argc, argv);
}
