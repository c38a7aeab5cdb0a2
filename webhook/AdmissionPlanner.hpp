#pragma once
// The whole pure decision for one pod: resolve the identity from what the
// lookups found, then plan the patch. The server, `mutate` and the fixture
// tests all go through this one place.

#include <optional>

#include "webhook/IdentityResolver.hpp"
#include "webhook/PodMutator.hpp"

namespace irsa::webhook {

struct AdmissionOutcome {
  std::optional<ResolvedIdentity> identity;  // nullopt: no identity, pod passes through
  Patch patch;                               // empty: nothing to change
  AnnotationIssues issues;                   // values ignored (or, a role ARN, used) despite their rule
};

class AdmissionPlanner {
 public:
  explicit AdmissionPlanner(const MutationSettings& settings) : resolver_(settings), mutator_(settings) {}
  // It keeps a reference: the settings must outlive it.
  explicit AdmissionPlanner(MutationSettings&&) = delete;

  AdmissionOutcome plan(const rapidjson::Value& pod, const IdentitySources& sources,
                        RandomSource& random) const {
    AdmissionOutcome out;
    out.identity = resolver_.resolve(sources, &out.issues);
    if (out.identity) out.patch = mutator_.plan(pod, *out.identity, random, &out.issues);
    return out;
  }

  const IdentityResolver& resolver() const { return resolver_; }

 private:
  IdentityResolver resolver_;
  PodMutator mutator_;
};

}  // namespace irsa::webhook
