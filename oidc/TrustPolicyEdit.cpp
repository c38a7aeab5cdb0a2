// addSubject / removeSubject (TrustPolicy.hpp): edits on the parsed document,
// whose objects keep their members' order, written back in the one format.
#include <algorithm>
#include <set>

#include "oidc/PolicyJson.hpp"
#include "oidc/TrustPolicy.hpp"
#include "webhook/Json.hpp"

namespace irsa::oidc {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

constexpr std::string_view kEquals = "StringEquals";
constexpr std::string_view kLike = "StringLike";

// A member name to look up (not copied).
Value nameRef(std::string_view s) {
  return Value(rapidjson::StringRef(s.data(), s.size()));
}

Value stringValue(std::string_view s, Allocator& alloc) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

// Allow, an Action naming sts:AssumeRoleWithWebIdentity: a statement that
// lets web identities in.
bool isWebIdentityAllow(const Value& statement) {
  if (webhook::stringMember(statement, "Effect") != "Allow") return false;
  const auto actions = stringsOf(webhook::member(statement, "Action"));
  return std::any_of(actions.begin(), actions.end(),
                     [](std::string_view a) { return equalsIgnoreCase(a, kWebIdentityAction); });
}

std::vector<std::string_view> federatedOf(const Value& statement) {
  const Value* principal = webhook::objectMember(statement, "Principal");
  return principal ? stringsOf(webhook::member(*principal, "Federated")) : std::vector<std::string_view>{};
}

// The statements to edit, and the provider whose `:sub` key they hold.
struct Targets {
  std::vector<Value*> statements;
  ProviderArn provider;
};

std::vector<Value*> webIdentityAllows(rapidjson::Document& doc) {
  std::vector<Value*> out;
  for (Value* statement : statementsOf(doc)) {
    if (isWebIdentityAllow(*statement)) out.push_back(statement);
  }
  return out;
}

// The one OIDC provider these statements federate.
util::Result<ProviderArn> onlyProviderOf(const std::vector<Value*>& statements) {
  std::set<std::string, std::less<>> providers;
  for (const Value* statement : statements) {
    for (std::string_view federated : federatedOf(*statement)) {
      if (parseProviderArn(federated)) providers.emplace(federated);
    }
  }
  if (providers.empty()) {
    return util::fail("no Allow statement for sts:AssumeRoleWithWebIdentity federates an OIDC provider");
  }
  if (providers.size() > 1) {
    std::string names;
    for (const auto& p : providers)
      names += (names.empty() ? "" : ", ") + p;
    return util::fail("the policy trusts several OIDC providers (" + names +
                      "): pass --provider-arn to choose one");
  }
  return *parseProviderArn(*providers.begin());
}

util::Result<Targets> findTargets(rapidjson::Document& doc, const std::optional<ProviderArn>& given) {
  const std::vector<Value*> candidates = webIdentityAllows(doc);
  Targets targets;
  if (given) {
    targets.provider = *given;
  } else {
    auto only = onlyProviderOf(candidates);
    if (!only) return only.failure();
    targets.provider = std::move(*only);
  }
  for (Value* statement : candidates) {
    const auto federated = federatedOf(*statement);
    if (std::find(federated.begin(), federated.end(), targets.provider.text) != federated.end()) {
      targets.statements.push_back(statement);
    }
  }
  if (targets.statements.empty()) {
    return util::fail("no Allow statement for sts:AssumeRoleWithWebIdentity has Principal.Federated " +
                      targets.provider.text);
  }
  return targets;
}

// A statement's `<issuer>:sub` values under one operator; nullptr if none.
Value* subValues(Value& statement, std::string_view op, std::string_view key) {
  auto condition = statement.FindMember("Condition");
  if (condition == statement.MemberEnd() || !condition->value.IsObject()) return nullptr;
  auto block = condition->value.FindMember(nameRef(op));
  if (block == condition->value.MemberEnd() || !block->value.IsObject()) return nullptr;
  auto it = findMemberIgnoreCase(block->value, key);
  return it == block->value.MemberEnd() ? nullptr : &it->value;
}

bool holds(const Value* values, std::string_view subject) {
  const auto all = stringsOf(values);
  return std::find(all.begin(), all.end(), subject) != all.end();
}

// Appends to a key's values, making a scalar a list.
void append(Value& values, std::string_view subject, Allocator& alloc) {
  if (!values.IsArray()) {
    Value old;
    old.Swap(values);
    values.SetArray();
    values.PushBack(std::move(old), alloc);
  }
  values.PushBack(stringValue(subject, alloc), alloc);
}

Value& objectMemberOrAdd(Value& object, std::string_view name, Allocator& alloc) {
  auto it = object.FindMember(nameRef(name));
  if (it != object.MemberEnd()) return it->value;
  object.AddMember(stringValue(name, alloc), Value(rapidjson::kObjectType), alloc);
  return (object.MemberEnd() - 1)->value;
}

void addKey(Value& statement, std::string_view op, std::string_view key, std::string_view subject,
            Allocator& alloc) {
  Value& condition = objectMemberOrAdd(statement, "Condition", alloc);
  Value& block = objectMemberOrAdd(condition, op, alloc);
  Value list(rapidjson::kArrayType);
  list.PushBack(stringValue(subject, alloc), alloc);
  block.AddMember(stringValue(key, alloc), std::move(list), alloc);
}

// Removes `subject` from the key under `op`; drops what it leaves empty.
bool eraseFrom(Value& statement, std::string_view op, std::string_view key, std::string_view subject) {
  Value* values = subValues(statement, op, key);
  if (!holds(values, subject)) return false;
  if (values->IsArray()) {
    for (auto it = values->Begin(); it != values->End();) {
      it = webhook::view(*it) == subject ? values->Erase(it) : it + 1;
    }
  }
  if (values->IsArray() && !values->Empty()) return true;
  // EraseMember, not RemoveMember: RemoveMember moves the last member into the gap.
  Value& condition = statement["Condition"];
  Value& block = condition[nameRef(op)];
  block.EraseMember(findMemberIgnoreCase(block, key));
  if (block.ObjectEmpty()) condition.EraseMember(condition.FindMember(nameRef(op)));
  if (condition.ObjectEmpty()) statement.EraseMember(statement.FindMember("Condition"));
  return true;
}

// Puts `copy` right after `after` in the policy's Statement (a list from now on).
void insertAfter(rapidjson::Document& doc, const Value* after, Value copy) {
  Value& statement = doc["Statement"];
  Value list(rapidjson::kArrayType);
  if (statement.IsObject()) {
    list.PushBack(std::move(statement), doc.GetAllocator());
    list.PushBack(std::move(copy), doc.GetAllocator());
  } else {
    auto it = statement.Begin();
    for (; it != statement.End(); ++it) {
      const bool here = &*it == after;
      list.PushBack(std::move(*it), doc.GetAllocator());
      if (here) break;
    }
    list.PushBack(std::move(copy), doc.GetAllocator());
    if (it != statement.End()) ++it;
    for (; it != statement.End(); ++it)
      list.PushBack(std::move(*it), doc.GetAllocator());
  }
  statement = std::move(list);
}

// A statement that only has StringEquals subjects gets a pattern through a
// copy of itself, with the pattern as its only subject.
void addPatternStatement(rapidjson::Document& doc, Value& statement, std::string_view key,
                         std::string_view subject) {
  auto& alloc = doc.GetAllocator();
  Value copy(statement, alloc);
  if (auto sid = copy.FindMember("Sid"); sid != copy.MemberEnd()) copy.EraseMember(sid);
  Value& condition = copy["Condition"];
  Value& equals = condition[nameRef(kEquals)];
  equals.EraseMember(findMemberIgnoreCase(equals, key));
  if (equals.ObjectEmpty()) condition.EraseMember(condition.FindMember(nameRef(kEquals)));
  addKey(copy, kLike, key, subject, alloc);
  insertAfter(doc, &statement, std::move(copy));
}

}  // namespace

util::Result<std::string> addSubject(std::string_view policy, const Subject& subject,
                                     const std::optional<ProviderArn>& provider) {
  rapidjson::Document doc;
  if (auto status = parsePolicy(doc, policy); !status) return std::move(status).failure();
  auto targets = findTargets(doc, provider);
  if (!targets) return std::move(targets).failure();
  const std::string key = conditionKey(targets->provider, "sub");
  const std::string_view text = subject.text;
  auto& alloc = doc.GetAllocator();
  const auto& statements = targets->statements;
  const auto first = [&](bool wantEquals, bool wantLike) -> Value* {
    for (Value* s : statements) {
      if ((subValues(*s, kEquals, key) != nullptr) == wantEquals &&
          (subValues(*s, kLike, key) != nullptr) == wantLike) {
        return s;
      }
    }
    return nullptr;
  };
  // A literal in StringLike matches itself: an exact subject is there too.
  const bool present = std::any_of(statements.begin(), statements.end(), [&](Value* s) {
    return holds(subValues(*s, kLike, key), text) ||
           (!subject.isPattern() && holds(subValues(*s, kEquals, key), text));
  });
  if (present) return prettyPolicy(doc);
  if (!subject.isPattern()) {
    if (Value* s = first(true, false)) {
      append(*subValues(*s, kEquals, key), text, alloc);
    } else if (Value* s = first(false, true)) {
      append(*subValues(*s, kLike, key), text, alloc);
    } else if (Value* s = first(false, false)) {
      addKey(*s, kEquals, key, text, alloc);
    } else {
      append(*subValues(*statements.front(), kEquals, key), text, alloc);
    }
  } else if (Value* s = first(false, true)) {
    append(*subValues(*s, kLike, key), text, alloc);
  } else if (Value* s = first(false, false)) {
    addKey(*s, kLike, key, text, alloc);
  } else if (Value* s = first(true, false)) {
    addPatternStatement(doc, *s, key, text);
  } else {
    append(*subValues(*statements.front(), kLike, key), text, alloc);
  }
  return prettyPolicy(doc);
}

util::Result<std::string> removeSubject(std::string_view policy, const Subject& subject,
                                        const std::optional<ProviderArn>& provider) {
  rapidjson::Document doc;
  if (auto status = parsePolicy(doc, policy); !status) return std::move(status).failure();
  auto targets = findTargets(doc, provider);
  if (!targets) return std::move(targets).failure();
  const std::string key = conditionKey(targets->provider, "sub");
  std::vector<const Value*> unrestricted;
  for (Value* s : targets->statements) {
    const bool fromEquals = eraseFrom(*s, kEquals, key, subject.text);
    const bool fromLike = eraseFrom(*s, kLike, key, subject.text);
    if ((fromEquals || fromLike) && subValues(*s, kEquals, key) == nullptr &&
        subValues(*s, kLike, key) == nullptr) {
      unrestricted.push_back(s);
    }
  }
  if (unrestricted.empty()) return prettyPolicy(doc);
  Value& statement = doc["Statement"];
  const std::size_t remaining = statement.IsArray() ? statement.Size() - unrestricted.size() : 0;
  if (remaining == 0) {
    return util::fail("removing " + subject.text +
                      " would leave no statement (one without a sub condition would trust every service "
                      "account): delete the role or replace its trust policy instead");
  }
  // By index, from the back: erasing moves the later statements.
  for (rapidjson::SizeType i = statement.Size(); i-- > 0;) {
    if (std::find(unrestricted.begin(), unrestricted.end(), &statement[i]) != unrestricted.end()) {
      statement.Erase(statement.Begin() + i);
    }
  }
  return prettyPolicy(doc);
}

util::Result<ProviderArn> trustedProvider(std::string_view policy) {
  rapidjson::Document doc;
  if (auto parsed = parsePolicy(doc, policy); !parsed) return parsed.failure();
  return onlyProviderOf(webIdentityAllows(doc));
}

}  // namespace irsa::oidc
