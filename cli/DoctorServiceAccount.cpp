#include "cli/DoctorServiceAccount.hpp"

#include <rapidjson/document.h>

#include "kube/ServiceAccountObject.hpp"
#include "kube/TokenRequest.hpp"
#include "webhook/IdentityResolver.hpp"
#include "webhook/Json.hpp"

namespace irsa::cli {
namespace {

constexpr unsigned kMaxObjectDepth = 64;

}  // namespace

util::Result<ServiceAccountRef> parseServiceAccountRef(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return util::fail("want NAMESPACE/NAME, got \"" + std::string(text) + "\"");
  ServiceAccountRef ref{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
  for (const std::string* part : {&ref.ns, &ref.name}) {
    if (!kube::isValidObjectName(*part)) {
      return util::fail("\"" + *part + "\" is not a valid namespace or ServiceAccount name");
    }
  }
  return ref;
}

util::Result<ServiceAccountToken> serviceAccountToken(ClusterClient& cluster, const ServiceAccountRef& ref,
                                                      const webhook::MutationSettings& settings) {
  const std::string key = ref.ns + "/" + ref.name;
  auto body = cluster.get("/api/v1/namespaces/" + ref.ns + "/serviceaccounts/" + ref.name);
  if (!body) {
    if (body.failure().code == util::ErrorCode::kHttpStatus && body.failure().httpStatus == 404) {
      return util::fail("ServiceAccount " + key + " not found");
    }
    return body.failure();
  }
  rapidjson::Document doc;
  if (auto parsed = webhook::parseJson(doc, *body, kMaxObjectDepth); !parsed) {
    return parsed.failure().within("ServiceAccount " + key);
  }
  auto sa = kube::serviceAccountFromObject(doc, settings.annotationPrefix);
  if (!sa) return sa.failure();

  // What the webhook would put in the pod's projected volume.
  const webhook::IdentityResolver resolver(settings);
  webhook::AnnotationIssues issues;
  webhook::IdentitySources sources;
  sources.serviceAccount = &*sa;
  const auto identity = resolver.resolve(sources, &issues);
  const webhook::ResolvedIdentity shape = identity ? *identity : resolver.serviceAccountParameters(*sa);

  ServiceAccountToken out;
  out.audience = shape.audience;
  out.expirationSeconds = shape.tokenExpiration;
  out.roleArn = resolver.roleArnOf(*sa);
  for (const auto& issue : issues)
    out.notes.push_back(issue.message);

  auto answer = cluster.post(kube::tokenRequestTarget(ref.ns, ref.name),
                             kube::tokenRequestBody(out.audience, out.expirationSeconds));
  if (!answer) return answer.failure();
  auto issued = kube::parseTokenRequestResponse(*answer);
  if (!issued) return issued.failure();
  out.token = std::move(issued->token);
  return out;
}

}  // namespace irsa::cli
