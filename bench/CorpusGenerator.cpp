#include "bench/CorpusGenerator.hpp"

#include <algorithm>
#include <unordered_set>

#include "bench/DeterministicRandom.hpp"
#include "bench/PodWriter.hpp"
#include "util/JsonWriter.hpp"

namespace irsa::bench {
namespace {

// `counts[i]` copies of values[i], in a seeded random order.
template <typename T>
std::vector<T> shuffled(const std::array<T, 3>& values, const std::array<std::size_t, 3>& counts,
                        DeterministicRandom& random) {
  std::vector<T> out;
  for (std::size_t i = 0; i < values.size(); ++i)
    out.insert(out.end(), counts[i], values[i]);
  for (std::size_t i = out.size(); i > 1; --i)
    std::swap(out[i - 1], out[random.below(i)]);
  return out;
}

void groupVersionKind(PodWriter::JsonWriter& w, const char* key, const char* last, const char* value) {
  w.Key(key);
  w.StartObject();
  w.Key("group");
  w.String("");
  w.Key("version");
  w.String("v1");
  w.Key(last);
  w.String(value);
  w.EndObject();
}

// The envelope the kube-apiserver sends for a pod that a ReplicaSet creates.
std::string admissionReview(const std::string& uid, const BenchServiceAccount& sa, SizeClass size,
                            DeterministicRandom& random) {
  irsa::util::JsonBuffer buffer;
  PodWriter::JsonWriter w(buffer);
  w.StartObject();
  w.Key("apiVersion");
  w.String("admission.k8s.io/v1");
  w.Key("kind");
  w.String("AdmissionReview");
  w.Key("request");
  w.StartObject();
  w.Key("uid");
  w.String(uid);
  groupVersionKind(w, "kind", "kind", "Pod");
  groupVersionKind(w, "resource", "resource", "pods");
  groupVersionKind(w, "requestKind", "kind", "Pod");
  groupVersionKind(w, "requestResource", "resource", "pods");
  w.Key("namespace");
  w.String(sa.ns);
  w.Key("operation");
  w.String("CREATE");
  w.Key("userInfo");
  w.StartObject();
  w.Key("username");
  w.String("system:serviceaccount:kube-system:replicaset-controller");
  w.Key("uid");
  w.String(random.uuid());
  w.Key("groups");
  w.StartArray();
  w.String("system:serviceaccounts");
  w.String("system:serviceaccounts:kube-system");
  w.String("system:authenticated");
  w.EndArray();
  w.EndObject();
  w.Key("object");
  // Member order carries no meaning; the name is known once the pod is written.
  const std::string name = PodWriter(w, random).write(sa, size);
  if (!name.empty()) {
    w.Key("name");
    w.String(name);
  }
  w.Key("oldObject");
  w.Null();
  w.Key("dryRun");
  w.Bool(false);
  w.Key("options");
  w.StartObject();
  w.Key("kind");
  w.String("CreateOptions");
  w.Key("apiVersion");
  w.String("meta.k8s.io/v1");
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::vector<CorpusRequest> CorpusGenerator::generate() const {
  DeterministicRandom random(options_.seed);
  const auto kinds = shuffled(kPodKinds, apportion(options_.kindWeights, options_.count), random);
  const auto sizes = shuffled(kSizeClasses, apportion(options_.sizeWeights, options_.count), random);
  std::vector<CorpusRequest> out;
  out.reserve(options_.count);
  std::unordered_set<std::string> uids;
  for (std::size_t i = 0; i < options_.count; ++i) {
    std::string uid = random.uuid();
    while (!uids.insert(uid).second)
      uid = random.uuid();
    const BenchServiceAccount& sa = identities_.pick(kinds[i], random);
    out.push_back({admissionReview(uid, sa, sizes[i], random), uid, kinds[i], sizes[i]});
  }
  return out;
}

CorpusSummary CorpusGenerator::summarize(const std::vector<CorpusRequest>& requests) {
  CorpusSummary s;
  if (requests.empty()) return s;
  std::vector<std::size_t> bytes;
  bytes.reserve(requests.size());
  for (const auto& r : requests) {
    ++s.kinds[static_cast<std::size_t>(r.kind)];
    ++s.sizes[static_cast<std::size_t>(r.size)];
    bytes.push_back(r.json.size());
    s.totalBytes += r.json.size();
  }
  std::sort(bytes.begin(), bytes.end());
  s.minBytes = bytes.front();
  s.maxBytes = bytes.back();
  s.medianBytes = bytes[(bytes.size() - 1) / 2];
  return s;
}

}  // namespace irsa::bench
