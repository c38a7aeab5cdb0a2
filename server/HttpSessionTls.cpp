#include "server/HttpSession.hpp"

namespace irsa::server {
template class HttpSession<TlsStream>;
}  // namespace irsa::server
