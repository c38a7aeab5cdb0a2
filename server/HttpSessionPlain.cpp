#include "server/HttpSession.hpp"

namespace irsa::server {
template class HttpSession<PlainStream>;
}  // namespace irsa::server
