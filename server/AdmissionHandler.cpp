#include "server/AdmissionHandler.hpp"

#include <boost/beast/core/string.hpp>
#include <random>

#include "util/Log.hpp"
#include "webhook/AdmissionReview.hpp"
#include "webhook/GoStrings.hpp"
#include "webhook/Json.hpp"

namespace irsa::server {
namespace {

using namespace std::chrono_literals;

// Time kept back from the apiserver's timeout for planning and the write.
constexpr std::chrono::milliseconds kTimeoutMargin = 1s;

class ThreadRandom : public webhook::RandomSource {
 public:
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) override {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(engine);
  }
};

// The reference's name of a ServiceAccount in its messages.
std::string cacheKey(const webhook::AdmissionRequest& r) {
  return std::string(r.ns) + "/" + std::string(r.serviceAccountName);
}

}  // namespace

bool isJsonMediaType(std::string_view contentType) {
  const auto semi = contentType.find(';');
  std::string_view type = contentType.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
    type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t'))
    type.remove_prefix(1);
  return boost::beast::iequals(type, "application/json");
}

std::optional<std::chrono::milliseconds> requestTimeout(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.substr(0, 8) == "timeout=") {
      auto parsed = webhook::goParseDuration(pair.substr(8));
      return parsed ? std::optional(*parsed) : std::nullopt;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

// One admission request between its lookup and its answer.
struct AdmissionHandler::Pending {
  std::string body;  // the parsed document points into it (in-situ parse)
  rapidjson::Document doc;
  webhook::AdmissionRequest request;
  Responder respond;
  // The ConfigMap and container-credentials lists, read once: the wait
  // decision and the planner see the same ones.
  IdentityConfig::Snapshot identity;
  std::chrono::milliseconds waited{0};  // how long the lookup may wait for the ServiceAccount
};

AdmissionHandler::AdmissionHandler(const ServerConfig& config, kube::ServiceAccountLookup& serviceAccounts,
                                   const IdentityConfig& identityConfig, Metrics& metrics)
    : config_(config),
      serviceAccounts_(serviceAccounts),
      identityConfig_(identityConfig),
      metrics_(metrics),
      planner_(config.mutation) {}

std::chrono::milliseconds AdmissionHandler::waitBudget(std::string_view target) const {
  auto budget = config_.serviceAccountLookupGracePeriod;
  if (auto timeout = requestTimeout(target)) {
    const auto margin = std::min<std::chrono::milliseconds>(kTimeoutMargin, *timeout / 2);
    budget = std::min(budget, *timeout - margin);
  }
  return std::max(budget, std::chrono::milliseconds(0));
}

void AdmissionHandler::handle(Request&& req, Responder respond) {
  if (!isJsonMediaType(req[http::field::content_type])) {
    respond(makeErrorResponse(http::status::unsupported_media_type, "Content-Type must be application/json"));
    return;
  }
  auto pending = std::make_shared<Pending>();
  pending->body = std::move(req.body());
  pending->respond = std::move(respond);
  if (auto status = webhook::parseJsonInsitu(pending->doc, pending->body.data(),
                                             static_cast<unsigned>(config_.limits.maxJsonDepth));
      !status) {
    pending->respond(makeErrorResponse(http::status::bad_request, status.error()));
    return;
  }
  auto decoded = webhook::decodeAdmissionReview(pending->doc);
  if (!decoded) {
    pending->respond(makeErrorResponse(http::status::bad_request, decoded.error()));
    return;
  }
  pending->request = *decoded;
  if (!pending->request.isPodCreate) {
    finish(*pending, nullptr);
    return;
  }
  const auto& r = pending->request;
  pending->identity = identityConfig_.snapshot();
  // A pod with an identity from the ConfigMap or the container-credentials
  // list does not wait for its ServiceAccount: the reference answers it at
  // once with that identity, and a drop-in must give the same pod.
  const auto budget = pending->identity.inputs().namesServiceAccount(r.ns, r.serviceAccountName)
                          ? std::chrono::milliseconds(0)
                          : waitBudget(req.target());
  if (budget.count() > 0 && !serviceAccounts_.find(r.ns, r.serviceAccountName)) {
    pending->waited = budget;
    util::Log::warn("Service account " + cacheKey(r) + " not found in the cache. Waiting up to " +
                    util::goDurationString(budget) + " to be notified");
  }
  const auto deadline = std::chrono::steady_clock::now() + budget;
  serviceAccounts_.lookup(
      pending->request.ns, pending->request.serviceAccountName, deadline,
      [this, pending](const kube::ServiceAccountLookup::Ptr& sa) { finish(*pending, sa); });
}

void AdmissionHandler::finish(Pending& p, const kube::ServiceAccountLookup::Ptr& sa) const {
  const auto& req = p.request;
  if (!req.isPodCreate) {
    p.respond(makeResponse(http::status::ok, "application/json",
                           webhook::encodeAdmissionResponse(req.apiVersion, req.uid, nullptr)));
    return;
  }
  const auto sources = p.identity.inputs().sourcesFor(req.ns, req.serviceAccountName, sa.get());
  if (webhook::countsAsMissingServiceAccount(sources)) metrics_.missingServiceAccount();

  ThreadRandom random;
  auto outcome = planner_.plan(*req.pod, sources, random);
  for (const auto& issue : outcome.issues) {
    metrics_.annotationInvalid(issue.field);
    util::Log::warn(
        issue.message,
        {{"pod", req.podName}, {"serviceAccount", req.serviceAccountName}, {"namespace", req.ns}});
  }
  if (outcome.identity) {
    metrics_.podMutated(outcome.identity->mode);
    if (util::Log::enabled(3)) {
      util::Log::infoV(
          3,
          outcome.patch.empty() ? "Pod was not mutated. Reason: Required volume mounts and env "
                                  "variables were already present."
                                : "Pod was mutated.",
          {{"pod", req.podName}, {"serviceAccount", req.serviceAccountName}, {"namespace", req.ns}});
    }
  } else {
    // The reference's words, so alerts on them carry over; a pod admitted
    // without credentials is worth a warning at the default verbosity.
    if (!sa && p.waited.count() > 0) {
      util::Log::warn("Service account " + cacheKey(req) + " not found in the cache after " +
                      util::goDurationString(p.waited) + ". Not mutating.");
    } else if (!sa) {
      util::Log::warn("Service account " + cacheKey(req) + " not found in the cache. Not mutating.");
    }
    if (util::Log::enabled(4)) {
      util::Log::infoV(
          4,
          "Pod was not mutated. Reason: Service account did not have the right annotations or was "
          "not found in the cache.",
          {{"pod", req.podName}, {"serviceAccount", req.serviceAccountName}, {"namespace", req.ns}});
    }
  }
  p.respond(makeResponse(http::status::ok, "application/json",
                         webhook::encodeAdmissionResponse(req.apiVersion, req.uid, &outcome.patch)));
}

}  // namespace irsa::server
