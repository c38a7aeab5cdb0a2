#include "kube/KubeconfigFile.hpp"

#include <rapidjson/document.h>

#include <filesystem>
#include <string_view>
#include <vector>

#include "certs/Pem.hpp"
#include "kube/ExecCredential.hpp"
#include "kube/ServerUrl.hpp"
#include "webhook/Base64.hpp"
#include "webhook/Json.hpp"
#include "yaml/YamlJson.hpp"

namespace irsa::kube {
namespace {

namespace fs = std::filesystem;
using Value = rapidjson::Value;

// Field access with errors that say where in the file the problem is.
class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path), dir_(fs::path(path).parent_path().string()) {}

  util::Error error(const std::string& what) const { return util::fail("kubeconfig " + path_ + ": " + what); }
  // `cause` passed on with its code, naming the file.
  util::Error error(const util::Error& cause) const { return cause.within("kubeconfig " + path_); }

  // An optional string field; absent or null reads as "".
  util::Status string(const Value& obj, const char* name, const std::string& where, std::string& out) const {
    out.clear();
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || it->value.IsNull()) return util::okStatus();
    if (!it->value.IsString()) return error(where + ": " + name + " must be a string");
    out.assign(it->value.GetString(), it->value.GetStringLength());
    return util::okStatus();
  }

  util::Status boolean(const Value& obj, const char* name, const std::string& where, bool& out) const {
    out = false;
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || it->value.IsNull()) return util::okStatus();
    if (!it->value.IsBool()) return error(where + ": " + name + " must be true or false");
    out = it->value.GetBool();
    return util::okStatus();
  }

  // The `inner` object of the entry called `name` in the list `list`
  // (clusters/contexts/users entries are {name, <inner>: {...}}).
  util::Result<const Value*> named(const Value& root, const char* list, const char* inner,
                                   const std::string& name, const std::string& what) const {
    const auto it = root.FindMember(list);
    if (it != root.MemberEnd() && !it->value.IsNull() && !it->value.IsArray()) {
      return error(std::string(list) + " must be a list");
    }
    if (it != root.MemberEnd() && it->value.IsArray()) {
      for (const Value& entry : it->value.GetArray()) {
        if (!entry.IsObject()) continue;
        const auto n = entry.FindMember("name");
        if (n == entry.MemberEnd() || !n->value.IsString() || name != n->value.GetString()) continue;
        const auto body = entry.FindMember(inner);
        if (body == entry.MemberEnd() || !body->value.IsObject()) {
          std::string message = what;
          message.append(" \"").append(name).append("\" has no ").append(inner).append(" section");
          return error(message);
        }
        return &body->value;
      }
    }
    return error(what + " \"" + name + "\" not found");
  }

  // `<field>-data` (base64) wins over `<field>` (a file), as in client-go.
  util::Result<std::string> dataOrFile(const Value& obj, const std::string& field,
                                       const std::string& where) const {
    std::string data;
    std::string file;
    if (auto status = string(obj, (field + "-data").c_str(), where, data); !status) return status.failure();
    if (auto status = string(obj, field.c_str(), where, file); !status) return status.failure();
    if (!data.empty()) {
      std::string compact;  // Go's base64 decoder skips line breaks
      for (char c : data) {
        if (c != '\n' && c != '\r') compact.push_back(c);
      }
      auto decoded = webhook::base64Decode(compact);
      if (!decoded) return error(where + ": " + field + "-data is not valid base64");
      return std::move(*decoded);
    }
    if (file.empty()) return std::string();
    const std::string full = resolve(file);
    auto text = certs::readPemFile(full, field);
    if (!text) return error(text.failure().within(where));
    return std::move(*text);
  }

  std::string resolve(const std::string& file) const {
    if (file.empty() || fs::path(file).is_absolute()) return file;
    return (fs::path(dir_) / file).lexically_normal().string();
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string dir_;
};

util::Status readCluster(const Reader& r, const Value& cluster, const std::string& name, ClusterConfig& out) {
  const std::string where = "cluster \"" + name + "\"";
  std::string server;
  if (auto status = r.string(cluster, "server", where, server); !status) return status;
  if (server.empty()) return r.error(where + " has no server");
  auto url = parseServerUrl(server);
  if (!url) return r.error(url.failure().within(where));
  out.host = url->host;
  out.port = url->port;
  out.basePath = url->basePath;

  std::string proxy;
  if (auto status = r.string(cluster, "proxy-url", where, proxy); !status) return status;
  if (!proxy.empty()) return r.error(where + ": proxy-url is not supported");
  if (auto status = r.string(cluster, "tls-server-name", where, out.tlsServerName); !status) return status;
  if (auto status = r.boolean(cluster, "insecure-skip-tls-verify", where, out.insecureSkipTlsVerify); !status)
    return status;
  auto ca = r.dataOrFile(cluster, "certificate-authority", where);
  if (!ca) return ca.failure();
  out.caPem = std::move(*ca);
  if (out.insecureSkipTlsVerify && !out.caPem.empty()) {
    // client-go refuses this combination too: one of them is a mistake.
    return r.error(where + ": certificate-authority and insecure-skip-tls-verify are mutually exclusive");
  }
  return util::okStatus();
}

// users[].user.exec, checked as clientcmd validates it.
util::Status readExec(const Reader& r, const Value& exec, const std::string& where,
                      ExecCredentialConfig& out) {
  if (auto status = r.string(exec, "apiVersion", where, out.apiVersion); !status) return status;
  if (out.apiVersion.empty()) return r.error(where + ": apiVersion is required");
  if (out.apiVersion != kExecApiV1 && out.apiVersion != kExecApiV1beta1) {
    return r.error(where + ": apiVersion \"" + out.apiVersion + "\" is not supported (use " +
                   std::string(kExecApiV1) + " or " + std::string(kExecApiV1beta1) + ")");
  }
  if (auto status = r.string(exec, "command", where, out.command); !status) return status;
  if (out.command.empty()) return r.error(where + ": command is required");
  // clientcmd resolves only a path (./bin/plugin) against the kubeconfig; a bare name is looked up in PATH.
  if (out.command.find('/') != std::string::npos) out.command = r.resolve(out.command);
  if (auto status = r.string(exec, "installHint", where, out.installHint); !status) return status;
  if (auto status = r.boolean(exec, "provideClusterInfo", where, out.provideClusterInfo); !status)
    return status;

  const auto args = exec.FindMember("args");
  if (args != exec.MemberEnd() && !args->value.IsNull()) {
    if (!args->value.IsArray()) return r.error(where + ": args must be a list of strings");
    for (const Value& arg : args->value.GetArray()) {
      if (!arg.IsString()) return r.error(where + ": args must be a list of strings");
      out.args.emplace_back(arg.GetString(), arg.GetStringLength());
    }
  }
  const auto env = exec.FindMember("env");
  if (env != exec.MemberEnd() && !env->value.IsNull()) {
    if (!env->value.IsArray()) return r.error(where + ": env must be a list of {name, value}");
    for (const Value& var : env->value.GetArray()) {
      if (!var.IsObject()) return r.error(where + ": env must be a list of {name, value}");
      std::string name;
      std::string value;
      if (auto status = r.string(var, "name", where + " env", name); !status) return status;
      if (auto status = r.string(var, "value", where + " env", value); !status) return status;
      if (name.empty() || name.find('=') != std::string::npos) {
        return r.error(where + ": env entries need a name without '='");
      }
      out.env.emplace_back(std::move(name), std::move(value));
    }
  }
  std::string mode;
  if (auto status = r.string(exec, "interactiveMode", where, mode); !status) return status;
  if (mode.empty() && out.apiVersion == kExecApiV1) {
    return r.error(where + ": interactiveMode is required for " + std::string(kExecApiV1));
  }
  if (mode == "Always") {
    return r.error(
        where +
        ": interactiveMode Always needs a terminal, and the webhook has none (use IfAvailable or Never)");
  }
  if (!mode.empty() && mode != "Never" && mode != "IfAvailable") {
    return r.error(where + ": interactiveMode must be Never, IfAvailable or Always");
  }
  return util::okStatus();
}

util::Status readUser(const Reader& r, const Value& user, const std::string& name, ClusterConfig& out) {
  const std::string where = "user \"" + name + "\"";
  const auto unsupported = [&](const char* field, const char* what) -> util::Status {
    const auto it = user.FindMember(field);
    if (it == user.MemberEnd() || it->value.IsNull()) return util::okStatus();
    return r.error(where + ": " + what + " is not supported; use a token, tokenFile or client certificate");
  };
  if (auto status = unsupported("auth-provider", "an auth-provider plugin"); !status) return status;
  if (auto status = unsupported("username", "basic authentication (username)"); !status) return status;
  if (auto status = unsupported("password", "basic authentication (password)"); !status) return status;
  if (auto status = unsupported("as", "impersonation (as)"); !status) return status;
  if (auto status = unsupported("as-groups", "impersonation (as-groups)"); !status) return status;
  if (auto status = unsupported("as-uid", "impersonation (as-uid)"); !status) return status;

  auto cert = r.dataOrFile(user, "client-certificate", where);
  if (!cert) return cert.failure();
  auto key = r.dataOrFile(user, "client-key", where);
  if (!key) return key.failure();
  if (cert->empty() != key->empty()) {
    return r.error(where + ": client-certificate and client-key must be given together");
  }
  out.clientCertPem = std::move(*cert);
  out.clientKeyPem = std::move(*key);
  if (auto status = r.string(user, "token", where, out.bearerToken); !status) return status;
  std::string tokenFile;
  if (auto status = r.string(user, "tokenFile", where, tokenFile); !status) return status;
  out.tokenFile = r.resolve(tokenFile);
  const auto exec = user.FindMember("exec");
  if (exec != user.MemberEnd() && !exec->value.IsNull()) {
    if (!exec->value.IsObject()) return r.error(where + ": exec must be an object");
    if (!out.bearerToken.empty() || !out.tokenFile.empty()) {
      return r.error(where + ": exec and token/tokenFile are mutually exclusive");
    }
    ExecCredentialConfig config;
    if (auto status = readExec(r, exec->value, where + " exec", config); !status) return status;
    out.exec = std::move(config);
  }
  return util::okStatus();
}

// The cluster's extension for exec plugins (extensions: [{name, extension}]),
// handed to a plugin with provideClusterInfo as spec.cluster.config.
std::string execExtension(const Value& cluster) {
  const auto list = cluster.FindMember("extensions");
  if (list == cluster.MemberEnd() || !list->value.IsArray()) return {};
  for (const Value& entry : list->value.GetArray()) {
    if (!entry.IsObject()) continue;
    const auto name = entry.FindMember("name");
    const auto ext = entry.FindMember("extension");
    if (name == entry.MemberEnd() || !name->value.IsString() || ext == entry.MemberEnd() ||
        !ext->value.IsObject()) {
      continue;
    }
    if (std::string_view(name->value.GetString()) == "client.authentication.k8s.io/exec") {
      return webhook::toJson(ext->value);
    }
  }
  return {};
}

// The kubeconfig `path` holds, parsed from its text into `docs`.
util::Result<ClusterConfig> kubeconfigOf(const std::string& path,
                                         const std::vector<rapidjson::Document>& docs,
                                         const std::string& context) {
  const Reader r(path);
  if (docs.size() != 1 || !docs.front().IsObject()) return r.error("expected one kubeconfig object");
  const Value& root = docs.front();

  std::string contextName = context;
  if (contextName.empty()) {
    if (auto status = r.string(root, "current-context", "file", contextName); !status)
      return status.failure();
    if (contextName.empty()) return r.error("current-context is not set");
  }
  auto ctx = r.named(root, "contexts", "context", contextName, "context");
  if (!ctx) return ctx.failure();
  const std::string where = "context \"" + contextName + "\"";
  std::string clusterName;
  std::string userName;
  if (auto status = r.string(**ctx, "cluster", where, clusterName); !status) return status.failure();
  if (auto status = r.string(**ctx, "user", where, userName); !status) return status.failure();
  if (clusterName.empty()) return r.error(where + " names no cluster");

  ClusterConfig out;
  auto cluster = r.named(root, "clusters", "cluster", clusterName, "cluster");
  if (!cluster) return cluster.failure();
  if (auto status = readCluster(r, **cluster, clusterName, out); !status) return status.failure();
  if (!userName.empty()) {  // a context without a user connects anonymously, as kubectl does
    auto user = r.named(root, "users", "user", userName, "user");
    if (!user) return user.failure();
    if (auto status = readUser(r, **user, userName, out); !status) return status.failure();
    if (out.exec && out.exec->provideClusterInfo) out.exec->clusterConfigJson = execExtension(**cluster);
  }
  out.source = "kubeconfig " + path + " context " + contextName;
  return out;
}

}  // namespace

util::Result<ClusterConfig> readKubeconfig(const std::string& path, const std::string& context) {
  auto docs = yaml::YamlJson::readFile(path);
  if (!docs) return docs.failure().within("kubeconfig");
  return kubeconfigOf(path, *docs, context);
}

util::Result<ClusterConfig> parseKubeconfig(const std::string& path, std::string_view text,
                                            const std::string& context) {
  auto docs = yaml::YamlJson::parseAll(text);
  // The words readKubeconfig's read gives a text that does not parse.
  if (!docs) return docs.failure().within(path).within("kubeconfig");
  return kubeconfigOf(path, *docs, context);
}

}  // namespace irsa::kube
