#pragma once
// Writing and editing IAM role trust policies for IRSA, as Kubeflow's profile
// controller does per namespace, but without its traps: every statement,
// condition and value this does not own is kept in place and in order, and an
// edit never leaves a statement that trusts every service account.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oidc/ProviderArn.hpp"
#include "oidc/Subject.hpp"
#include "util/Result.hpp"

namespace irsa::oidc {

inline constexpr std::string_view kDefaultAudience = "sts.amazonaws.com";

// A policy that lets `subjects` assume the role with tokens of `provider`
// whose audience is one of `audiences`. Exact subjects go under StringEquals;
// patterns under StringLike in a second statement, because IAM ANDs the
// operators of one statement: StringEquals and StringLike on the same `:sub`
// key would have to match both, which no token does.
std::string createTrustPolicy(const ProviderArn& provider, const std::vector<Subject>& subjects,
                              const std::vector<std::string>& audiences = {std::string(kDefaultAudience)});

// The only OIDC provider the policy's Allow statements for
// sts:AssumeRoleWithWebIdentity federate. Fails for invalid JSON, for no
// such provider, and for several (naming them).
util::Result<ProviderArn> trustedProvider(std::string_view policy);

// Adds `subject` to the web-identity statement of `provider` (when not given:
// of the only OIDC provider the policy trusts). An exact subject joins the
// statement's `<issuer>:sub` list (StringEquals, or StringLike when that is
// where the statement keeps it); a pattern joins StringLike. A pattern for a
// statement that only has StringEquals subjects goes into a copy of that
// statement (without Sid), for the reason above. Adding a subject already
// there changes nothing.
util::Result<std::string> addSubject(std::string_view policy, const Subject& subject,
                                     const std::optional<ProviderArn>& provider);

// Removes `subject` from those statements; an emptied key, operator or
// Condition goes too. A statement left without any `:sub` condition is
// removed, because it would let every service account of the cluster assume
// the role; so is refused a removal that would leave no statement at all.
util::Result<std::string> removeSubject(std::string_view policy, const Subject& subject,
                                        const std::optional<ProviderArn>& provider);

}  // namespace irsa::oidc
