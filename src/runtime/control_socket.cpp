#include "runtime/control_socket.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/bgp_socket.h"
#include "runtime/clock.h"

namespace halink::runtime {
namespace {

constexpr size_t max_request_bytes = 1 << 20;  // a request is a short command

Result<sockaddr_un> unix_address(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) return Error{"control socket path too long: " + path};
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  return sa;
}

nlohmann::json error_reply(const std::string& message) { return {{"ok", false}, {"error", message}}; }

}  // namespace

ControlServer::~ControlServer() {
  for (auto& [fd, client] : clients_) {
    loop_.unwatch(fd);
    close(fd);
  }
  if (listen_fd_ >= 0) {
    loop_.unwatch(listen_fd_);
    close(listen_fd_);
    unlink(path_.c_str());
  }
}

Status ControlServer::listen(const std::string& path) {
  auto sa = unix_address(path);
  if (!sa) return sa.error();
  // Create the directory (e.g. /run/halink) if needed; only root may talk to us.
  if (auto slash = path.rfind('/'); slash != std::string::npos && slash > 0)
    mkdir(path.substr(0, slash).c_str(), 0750);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{"control socket: " + errno_text(errno)};
  // A stale socket file from a crashed daemon is removed only if nobody answers on it.
  if (::connect(fd, reinterpret_cast<sockaddr*>(&*sa), sizeof *sa) == 0) {
    close(fd);
    return Error{"another halinkd is already listening on " + path};
  }
  unlink(path.c_str());
  if (bind(fd, reinterpret_cast<sockaddr*>(&*sa), sizeof *sa) != 0 || ::listen(fd, 16) != 0) {
    int err = errno;
    close(fd);
    return Error{"control socket " + path + ": " + errno_text(err)};
  }
  chmod(path.c_str(), 0660);
  listen_fd_ = fd;
  path_ = path;
  loop_.watch(fd, EPOLLIN, [this](uint32_t) { accept_clients(); });
  return {};
}

void ControlServer::accept_clients() {
  while (true) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    clients_[fd].fd = fd;
    loop_.watch(fd, EPOLLIN, [this, fd](uint32_t events) { on_client(fd, events); });
  }
}

void ControlServer::close_client(int fd) {
  loop_.unwatch(fd);
  close(fd);
  clients_.erase(fd);
}

void ControlServer::flush(Client& client) {
  while (!client.out.empty()) {
    ssize_t n = send(client.fd, client.out.data(), client.out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN) break;
      close_client(client.fd);
      return;
    }
    client.out.erase(0, size_t(n));
  }
  loop_.change(client.fd, client.out.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT);
}

void ControlServer::on_client(int fd, uint32_t events) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  Client& client = it->second;
  if (events & EPOLLIN) {
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      if (n < 0 && errno == EAGAIN) return;
      close_client(fd);
      return;
    }
    client.in.append(buf, size_t(n));
    if (client.in.size() > max_request_bytes) {
      client.out += error_reply("request too large").dump() + "\n";
      client.in.clear();
    }
    size_t newline;
    while ((newline = client.in.find('\n')) != std::string::npos) {
      std::string line = client.in.substr(0, newline);
      client.in.erase(0, newline + 1);
      nlohmann::json reply;
      auto request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (request.is_discarded() || !request.is_object()) {
        reply = error_reply("request is not a JSON object");
      } else {
        reply = handler_(request);
      }
      client.out += reply.dump() + "\n";
    }
  }
  flush(client);
}

Result<nlohmann::json> control_request(const std::string& path, const nlohmann::json& request, Duration timeout) {
  auto sa = unix_address(path);
  if (!sa) return sa.error();
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{"socket: " + errno_text(errno)};
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&*sa), sizeof *sa) != 0)
    return Error{"cannot reach halinkd at " + path + " (" + errno_text(errno) + "); is it running?"};
  std::string out = request.dump() + "\n";
  if (send(fd, out.data(), out.size(), MSG_NOSIGNAL) != ssize_t(out.size()))
    return Error{"sending to halinkd: " + errno_text(errno)};
  std::string in;
  Time deadline = monotonic_now() + timeout;
  while (in.find('\n') == std::string::npos) {
    int left_ms = int((deadline - monotonic_now()).ms());
    if (left_ms <= 0) return Error{"halinkd did not answer within " + timeout.to_string()};
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, left_ms) <= 0) continue;
    char buf[65536];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return Error{"halinkd closed the control connection"};
    in.append(buf, size_t(n));
  }
  auto reply = nlohmann::json::parse(in.substr(0, in.find('\n')), nullptr, false);
  if (reply.is_discarded()) return Error{"halinkd sent a reply that is not JSON"};
  return reply;
}

}  // namespace halink::runtime
