#pragma once
// The flags that shape a mutation, shared by `serve` and `mutate` so both
// accept exactly the same names and defaults.

#include <string>

#include "util/FlagSet.hpp"
#include "webhook/Settings.hpp"

namespace irsa::cli {

// What the mutation flags set.
struct MutationFlags {
  webhook::MutationSettings settings;
  // --watch-container-credentials-config: `serve` watches it, `mutate` reads it once.
  std::string containerCredentialsFile;
};

void addMutationFlags(util::FlagSet& flags, MutationFlags& parsed);

// The part of them that shapes the projected token (--annotation-prefix,
// --token-audience, --token-expiration): `doctor --service-account` asks for
// the token the webhook would project, so it takes these too.
void addTokenShapeFlags(util::FlagSet& flags, webhook::MutationSettings& settings);

// Checks what one flag alone cannot say (paths absolute, names non-empty,
// the expiration within what Kubernetes takes).
util::Status validate(const MutationFlags& parsed);

// The settings to mutate with: the token expiration raised to its minimum,
// as the reference does at start (values below 600, 0 and negative too).
webhook::MutationSettings effectiveSettings(const MutationFlags& parsed);

}  // namespace irsa::cli
