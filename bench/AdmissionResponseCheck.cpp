#include "bench/AdmissionResponseCheck.hpp"

namespace irsa::bench {
namespace {

// Follows only the members that matter: apiVersion and kind at the top,
// uid/allowed/patch inside `response`. Everything else is skipped by depth.
class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
 public:
  enum class Slot { kNone, kApiVersion, kKind, kResponse, kUid, kAllowed, kPatch };

  bool Default() {
    slot_ = Slot::kNone;
    return true;
  }
  bool StartObject() {
    if (depth_ == 1 && slot_ == Slot::kResponse) {
      inResponse_ = true;
      sawResponse_ = true;
    }
    slot_ = Slot::kNone;
    ++depth_;
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    if (depth_ == 1) inResponse_ = false;
    return true;
  }
  bool StartArray() { return StartObject(); }
  bool EndArray(rapidjson::SizeType n) { return EndObject(n); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    const std::string_view key(s, n);
    slot_ = Slot::kNone;
    if (depth_ == 1) {
      if (key == "apiVersion") slot_ = Slot::kApiVersion;
      if (key == "kind") slot_ = Slot::kKind;
      if (key == "response") slot_ = Slot::kResponse;
    } else if (depth_ == 2 && inResponse_) {
      if (key == "uid") slot_ = Slot::kUid;
      if (key == "allowed") slot_ = Slot::kAllowed;
      if (key == "patch") slot_ = Slot::kPatch;
    }
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    const std::string_view value(s, n);
    switch (slot_) {
      case Slot::kApiVersion:
        apiVersionOk_ = value == "admission.k8s.io/v1" || value == "admission.k8s.io/v1beta1";
        break;
      case Slot::kKind:
        kindOk_ = value == "AdmissionReview";
        break;
      case Slot::kUid:
        uidOk_ = value == uid_;
        break;
      case Slot::kPatch:
        patch_ = n > 0;
        break;
      default:
        break;
    }
    slot_ = Slot::kNone;
    return true;
  }
  bool Bool(bool b) {
    if (slot_ == Slot::kAllowed) allowed_ = b;
    slot_ = Slot::kNone;
    return true;
  }

  explicit Handler(std::string_view uid) : uid_(uid) {}
  bool valid() const { return depth_ == 0 && apiVersionOk_ && kindOk_ && sawResponse_ && uidOk_ && allowed_; }
  bool patched() const { return patch_; }

 private:
  std::string_view uid_;
  int depth_{0};
  Slot slot_{Slot::kNone};
  bool inResponse_{false};
  bool sawResponse_{false};
  bool apiVersionOk_{false};
  bool kindOk_{false};
  bool uidOk_{false};
  bool allowed_{false};
  bool patch_{false};
};

}  // namespace

AdmissionResponseCheck::Verdict AdmissionResponseCheck::check(std::string& body, std::string_view uid) {
  Handler handler(uid);
  rapidjson::InsituStringStream in(body.data());
  // Iterative: a hostile or broken answer cannot recurse deep on our stack.
  const auto result =
      reader_.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag>(in, handler);
  Verdict v;
  v.valid = !result.IsError() && handler.valid();
  v.mutated = v.valid && handler.patched();
  return v;
}

}  // namespace irsa::bench
