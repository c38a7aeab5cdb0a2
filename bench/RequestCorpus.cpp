#include "bench/RequestCorpus.hpp"

#include <filesystem>
#include <fstream>

#include "bench/CorpusFiles.hpp"
#include "bench/CorpusOptions.hpp"
#include "bench/PodWriter.hpp"
#include "webhook/Json.hpp"

namespace irsa::bench {
namespace {

constexpr unsigned kMaxDepth = 100;

std::size_t kindOf(const rapidjson::Value& request) {
  const rapidjson::Value* object = webhook::objectMember(request, "object");
  const rapidjson::Value* metadata = object ? webhook::objectMember(*object, "metadata") : nullptr;
  const rapidjson::Value* annotations = metadata ? webhook::objectMember(*metadata, "annotations") : nullptr;
  const std::string_view kind = annotations ? webhook::stringMember(*annotations, kKindAnnotation) : "";
  for (std::size_t i = 0; i < kPodKinds.size(); ++i) {
    if (kind == kindName(kPodKinds[i])) return i;
  }
  return kUnknownKind;
}

// What a kube-apiserver sends, minus the trace headers.
std::string httpRequest(const TargetUrl& url, const std::string& body, bool closeConnection) {
  std::string out;
  out.reserve(body.size() + 256);
  out += "POST " + url.target + " HTTP/1.1\r\n";
  out += "Host: " + url.hostHeader() + "\r\n";
  out += "User-Agent: irsa-bench\r\n";
  out += "Accept: application/json, */*\r\n";
  out += "Content-Type: application/json\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (closeConnection) out += "Connection: close\r\n";
  out += "\r\n";
  out += body;
  return out;
}

}  // namespace

util::Result<RequestCorpus> RequestCorpus::load(const std::string& dir, const TargetUrl& url,
                                                bool closeConnection) {
  const std::filesystem::path path = std::filesystem::path(dir) / kRequestsFile;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return util::fail("--corpus " + dir + ": no such directory (create one with 'irsa-bench corpus --out " +
                      dir + "')");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail("--corpus " + dir + ": cannot read " + path.string());
  RequestCorpus corpus;
  corpus.dir_ = dir;
  std::string line;
  std::size_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty() || line == "\r") continue;
    const auto where = [&] { return path.string() + ":" + std::to_string(lineNo); };
    rapidjson::Document doc;
    if (auto s = webhook::parseJson(doc, line, kMaxDepth); !s) return s.failure().within(where());
    const rapidjson::Value* request = doc.IsObject() ? webhook::objectMember(doc, "request") : nullptr;
    const std::string_view uid = request ? webhook::stringMember(*request, "uid") : "";
    if (uid.empty()) return util::fail("not an AdmissionReview with request.uid").within(where());
    CorpusEntry entry;
    entry.uid = std::string(uid);
    entry.kind = kindOf(*request);
    entry.bodyBytes = line.size();
    entry.wire = httpRequest(url, line, closeConnection);
    ++corpus.kindCounts_[entry.kind];
    corpus.entries_.push_back(std::move(entry));
  }
  if (corpus.entries_.empty())
    return util::fail("--corpus " + dir + ": " + path.string() + " holds no request");
  return corpus;
}

std::size_t RequestCorpus::meanBodyBytes() const {
  std::size_t total = 0;
  for (const auto& e : entries_)
    total += e.bodyBytes;
  return entries_.empty() ? 0 : total / entries_.size();
}

}  // namespace irsa::bench
