#pragma once
// The flags that shape a mutation, shared by `serve` and `mutate` so both
// accept exactly the same names and defaults.

#include <string>

#include "util/FlagSet.hpp"
#include "webhook/Settings.hpp"

namespace irsa::cli {

void addMutationFlags(util::FlagSet& flags, webhook::MutationSettings& settings,
                      std::string& containerCredentialsFile);

// Checks values that flags alone cannot (e.g. the token expiration minimum).
util::Status validateMutationSettings(webhook::MutationSettings& settings);

}  // namespace irsa::cli
