#pragma once
// Checks a webhook's answer without building a document: a SAX pass over
// the body (parsed in place, no allocation) that accepts exactly an
// AdmissionReview whose response echoes the request's uid and is allowed,
// and notes whether it carries a patch (the pod was mutated).

#include <rapidjson/reader.h>

#include <string>
#include <string_view>

namespace irsa::bench {

class AdmissionResponseCheck {
 public:
  struct Verdict {
    bool valid{false};    // an allowed AdmissionReview answering `uid`
    bool mutated{false};  // valid and with a non-empty response.patch
  };

  // `body` is parsed in situ: its contents are destroyed.
  Verdict check(std::string& body, std::string_view uid);

 private:
  rapidjson::Reader reader_;  // reused: its stack keeps its capacity
};

}  // namespace irsa::bench
