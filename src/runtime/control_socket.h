// The control socket between `halink` and `halinkd`: a Unix stream socket
// carrying one JSON object per line each way. Requests look like
//   {"command": "show", "what": "neighbors"}
// and every reply has "ok": true|false; a failed request carries "error".
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "runtime/event_loop.h"

namespace halink::runtime {

constexpr const char* default_control_path = "/run/halink/halinkd.sock";

class ControlServer {
public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

  ControlServer(EventLoop& loop, Handler handler) : loop_(loop), handler_(std::move(handler)) {}
  ~ControlServer();
  Status listen(const std::string& path);

private:
  struct Client {
    int fd = -1;
    std::string in;
    std::string out;
  };
  void accept_clients();
  void on_client(int fd, uint32_t events);
  void close_client(int fd);
  void flush(Client& client);

  EventLoop& loop_;
  Handler handler_;
  int listen_fd_ = -1;
  std::string path_;
  std::unordered_map<int, Client> clients_;
};

// One request, one reply (used by the CLI). A daemon that is not running is
// an Error that says so and names the socket path.
Result<nlohmann::json> control_request(const std::string& path, const nlohmann::json& request,
                                       Duration timeout = Duration::seconds(10));

}  // namespace halink::runtime
