#include "lab/probe/probe_receiver.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "lab/probe/probe_clock.h"
#include "lab/probe/probe_packet.h"
#include "lab/probe/probe_socket_address.h"

namespace halink::lab {
namespace {

constexpr int batch_size = 64;
constexpr size_t max_datagram = 2048;  // longer ones are truncated: only the header matters

}  // namespace

Result<ProbeReceiver> ProbeReceiver::open(const ProbeReceiverOptions& options) {
  int fd = socket(options.listen.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{std::string("socket: ") + std::strerror(errno)};
  int size = options.receive_buffer_bytes;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);  // not root: up to rmem_max
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
  sockaddr_storage address;
  ProbeEndpoint listen{options.listen, options.port};
  socklen_t length = to_sockaddr(listen, address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) < 0) {
    std::string message = "bind " + listen.to_string() + ": " + std::strerror(errno);
    close(fd);
    return Error{message};
  }
  ProbeReceiver receiver(options, probe_clock_now());
  receiver.socket_ = fd;
  return receiver;
}

ProbeReceiver::ProbeReceiver(ProbeReceiver&& other) noexcept
    : options_(other.options_),
      started_(other.started_),
      tracker_(std::move(other.tracker_)),
      socket_(other.socket_),
      socket_drops_(other.socket_drops_) {
  other.socket_ = -1;
}

ProbeReceiver::~ProbeReceiver() {
  if (socket_ >= 0) close(socket_);
}

bool ProbeReceiver::drain() {
  static thread_local std::array<std::array<uint8_t, max_datagram>, batch_size> buffers;
  std::array<sockaddr_storage, batch_size> sources;
  std::array<iovec, batch_size> iov;
  std::array<mmsghdr, batch_size> messages;
  alignas(cmsghdr) std::array<std::array<uint8_t, CMSG_SPACE(sizeof(uint32_t))>, batch_size> controls;
  for (;;) {
    for (int i = 0; i < batch_size; ++i) {
      iov[i] = {buffers[i].data(), buffers[i].size()};
      messages[i] = {};
      messages[i].msg_hdr.msg_name = &sources[i];
      messages[i].msg_hdr.msg_namelen = sizeof sources[i];
      messages[i].msg_hdr.msg_iov = &iov[i];
      messages[i].msg_hdr.msg_iovlen = 1;
      messages[i].msg_hdr.msg_control = controls[i].data();
      messages[i].msg_hdr.msg_controllen = controls[i].size();
    }
    int count = recvmmsg(socket_, messages.data(), batch_size, MSG_DONTWAIT, nullptr);
    if (count < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    Time now = probe_clock_now();
    for (int i = 0; i < count; ++i) {
      const msghdr& header = messages[i].msg_hdr;
      for (cmsghdr* c = CMSG_FIRSTHDR(&header); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&header), c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          uint32_t drops = 0;
          std::memcpy(&drops, CMSG_DATA(c), sizeof drops);
          socket_drops_ = drops;  // the kernel's running total for this socket
        }
      auto packet = decode_probe_packet(std::span<const uint8_t>(buffers[i].data(), messages[i].msg_len));
      if (packet)
        tracker_.on_packet(now, *packet, from_sockaddr(sources[i]));
      else
        tracker_.on_invalid();
    }
    if (count < batch_size) return true;
  }
}

ProbeReport ProbeReceiver::run(int stop_fd) {
  const Time deadline = started_ + options_.duration;
  pollfd fds[2] = {{socket_, POLLIN, 0}, {stop_fd, POLLIN, 0}};
  for (;;) {
    Time now = probe_clock_now();
    if (now >= deadline) break;
    timespec timeout{};
    const timespec* timeout_pointer = nullptr;
    if (!deadline.is_never()) {
      Duration left = deadline - now;
      timeout = {time_t(left.ns() / 1'000'000'000), long(left.ns() % 1'000'000'000)};
      timeout_pointer = &timeout;
    }
    if (ppoll(fds, 2, timeout_pointer, nullptr) < 0 && errno != EINTR) break;
    if (fds[1].revents) break;
    if (fds[0].revents && !drain()) break;
  }
  drain();
  ProbeReport report = tracker_.report(probe_clock_now());
  report.listen = ProbeEndpoint{options_.listen, options_.port}.to_string();
  report.socket_drops = socket_drops_;
  return report;
}

}  // namespace halink::lab
