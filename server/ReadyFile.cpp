#include "server/ReadyFile.hpp"

#include <unistd.h>

#include "util/Files.hpp"
#include "util/JsonWriter.hpp"

namespace irsa::server {

util::Status writeReadyFile(const std::string& path, unsigned short port, unsigned short metricsPort) {
  util::JsonBuffer buffer;
  util::JsonWriter w(buffer);
  w.StartObject();
  w.Key("port");
  w.Uint(port);
  w.Key("metricsPort");
  w.Uint(metricsPort);
  w.Key("pid");
  w.Int(static_cast<int>(::getpid()));
  w.EndObject();

  std::string text = buffer.GetString();
  text.push_back('\n');
  // A reader polling for the file sees it whole or not at all.
  if (auto written = util::writeFileAtomically(path, text, 0644); !written) {
    return written.failure().within("--ready-file " + path);
  }
  return util::okStatus();
}

}  // namespace irsa::server
