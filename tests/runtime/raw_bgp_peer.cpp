#include "raw_bgp_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "bgp/wire/codec.h"
#include "bgp/wire/update_codec.h"

namespace halink::testing {

using Clock = std::chrono::steady_clock;

RawBgpPeer::~RawBgpPeer() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawBgpPeer::connect(const IpAddress& address, uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(address.v4_host_order());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
      fd_ = fd;
      return true;
    }
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the daemon is still starting
  }
  return false;
}

bool RawBgpPeer::send(const std::vector<uint8_t>& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += size_t(n);
  }
  return true;
}

std::optional<std::vector<uint8_t>> RawBgpPeer::receive(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (in_.size() >= 19) {
      size_t length = size_t(in_[16]) << 8 | in_[17];
      if (length >= 19 && in_.size() >= length) {
        std::vector<uint8_t> message(in_.begin(), in_.begin() + std::ptrdiff_t(length));
        in_.erase(in_.begin(), in_.begin() + std::ptrdiff_t(length));
        if (message[18] == 3) {
          bgp::Decoded d = bgp::decode_notification(std::span<const uint8_t>(message).subspan(19));
          if (auto* n = std::get_if<bgp::Notification>(&d.message)) notification_ = *n;
        }
        return message;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, int(left.count())) <= 0) return std::nullopt;
    uint8_t buf[65536];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    in_.insert(in_.end(), buf, buf + n);
  }
}

std::optional<bgp::Notification> RawBgpPeer::await_notification(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!notification_ && Clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (!receive(left)) break;
  }
  return notification_;
}

bool RawBgpPeer::establish(uint32_t as, uint32_t router_id, uint16_t hold_time, std::chrono::milliseconds timeout) {
  if (!send(open_message(as, router_id, hold_time))) return false;
  bool open = false, keepalive = false;
  while (!(open && keepalive)) {
    auto m = receive(timeout);
    if (!m) return false;
    if ((*m)[18] == 1) open = true;
    if ((*m)[18] == 4) keepalive = true;
    if ((*m)[18] == 3) return false;
  }
  return send(bgp::encode(bgp::Keepalive{}));
}

bool RawBgpPeer::drain_incoming() {
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) return !notification_;
    auto m = receive(std::chrono::milliseconds(0));
    if (!m) return in_.size() < 19 && !notification_ && (p.revents & POLLHUP) == 0;
  }
}

std::vector<uint8_t> open_message(uint32_t as, uint32_t router_id, uint16_t hold_time) {
  bgp::OpenMessage open;
  open.my_as = as > 0xffff ? 23456 : uint16_t(as);
  open.hold_time = hold_time;
  open.bgp_identifier = router_id;
  open.capabilities.four_octet_as = as;
  open.capabilities.multiprotocol = {bgp::AfiSafi::unicast(Family::ipv4)};
  open.capabilities.route_refresh = true;
  return bgp::encode(open);
}

std::vector<uint8_t> table_updates(uint32_t as, IpAddress next_hop, uint32_t first, size_t count, size_t groups) {
  std::vector<uint8_t> out;
  out.reserve(count * 5);
  bgp::CodecContext ctx;
  size_t per_group = (count + groups - 1) / groups;
  for (size_t g = 0; g * per_group < count; ++g) {
    bgp::Update u;
    u.attributes.origin = bgp::Origin::igp;
    u.attributes.as_path = bgp::AsPath{};
    // 64512..64911: clear of the lab's own ASes (65001-65003), which loop
    // detection (RFC 4271 §9.1.2) would rightly make A or B ignore.
    u.attributes.as_path->prepend(64512 + uint32_t(g % 400));
    u.attributes.as_path->prepend(as);
    u.attributes.next_hop = next_hop;
    for (size_t i = g * per_group; i < std::min(count, (g + 1) * per_group); ++i)
      u.nlri.prefixes.push_back(*Prefix::make(IpAddress::v4(first + uint32_t(i << 8)), 24));
    for (const bgp::Update& part : bgp::split_update(u, ctx)) {
      std::vector<uint8_t> bytes = bgp::encode(part, ctx);
      out.insert(out.end(), bytes.begin(), bytes.end());
    }
  }
  return out;
}

}  // namespace halink::testing
