#include "fib/netlink_socket.h"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace halink::fib {
namespace {

// A sendmsg() carries up to this many bytes; the largest request we build
// (a multipath route with every next hop spelled out) stays far below the
// reserve left at the end.
constexpr size_t kBatchBytes = 64 * 1024;
constexpr size_t kLargestRequest = 16 * 1024;
// Room for the error replies of a whole batch; more is asked for when root.
constexpr int kReceiveBufferBytes = 8 * 1024 * 1024;

std::string errno_text(int error) { return std::strerror(error); }

// "File exists (Nexthop id already exists)": strerror, then the kernel's own
// explanation from the extended ack (NLMSGERR_ATTR_MSG) when it sent one.
std::string error_message(const nlmsghdr* reply, const nlmsgerr* error) {
  std::string text = errno_text(-error->error);
  if (!(reply->nlmsg_flags & NLM_F_ACK_TLVS)) return text;
  size_t offset = sizeof(nlmsghdr) + sizeof(nlmsgerr);
  if (!(reply->nlmsg_flags & NLM_F_CAPPED)) offset += error->msg.nlmsg_len - sizeof(nlmsghdr);
  const char* data = reinterpret_cast<const char*>(reply);
  size_t end = reply->nlmsg_len;
  while (offset + sizeof(nlattr) <= end) {
    const auto* attribute = reinterpret_cast<const nlattr*>(data + offset);
    if (attribute->nla_len < sizeof(nlattr) || offset + attribute->nla_len > end) break;
    if ((attribute->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
      const char* message = data + offset + sizeof(nlattr);
      size_t length = strnlen(message, attribute->nla_len - sizeof(nlattr));
      if (length > 0) text += " (" + std::string(message, length) + ")";
    }
    offset += NLA_ALIGN(attribute->nla_len);
  }
  return text;
}

}  // namespace

Result<std::unique_ptr<NetlinkSocket>> NetlinkSocket::open() {
  std::unique_ptr<NetlinkSocket> result(new NetlinkSocket());
  result->socket_ = mnl_socket_open(NETLINK_ROUTE);
  if (!result->socket_) return Error{"cannot open rtnetlink socket: " + errno_text(errno)};
  if (mnl_socket_bind(result->socket_, 0, MNL_SOCKET_AUTOPID) < 0)
    return Error{"cannot bind rtnetlink socket: " + errno_text(errno)};
  result->port_id_ = mnl_socket_get_portid(result->socket_);
  int on = 1;
  // Errors name the offending attribute in words and do not echo the request.
  mnl_socket_setsockopt(result->socket_, NETLINK_EXT_ACK, &on, sizeof(on));
  mnl_socket_setsockopt(result->socket_, NETLINK_CAP_ACK, &on, sizeof(on));
  int fd = mnl_socket_get_fd(result->socket_);
  int size = kReceiveBufferBytes;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  result->buffer_.resize(kBatchBytes + kLargestRequest);
  result->receive_buffer_.resize(MNL_SOCKET_BUFFER_SIZE > 65536 ? MNL_SOCKET_BUFFER_SIZE : 65536);
  return result;
}

NetlinkSocket::~NetlinkSocket() {
  if (socket_) mnl_socket_close(socket_);
}

void NetlinkSocket::close_open_request() {
  if (!open_request_) return;
  last_request_ = open_request_;
  used_ += NLMSG_ALIGN(open_request_->nlmsg_len);
  open_request_ = nullptr;
}

nlmsghdr* NetlinkSocket::begin_request(uint16_t type, uint16_t flags) {
  close_open_request();
  if (used_ > kBatchBytes) {
    Status sent = send_pending();
    (void)sent;  // a failed send is recorded per request in errors_
  }
  nlmsghdr* header = mnl_nlmsg_put_header(buffer_.data() + used_);
  header->nlmsg_type = type;
  header->nlmsg_flags = uint16_t(NLM_F_REQUEST | flags);
  header->nlmsg_seq = first_sequence_ + uint32_t(requested_);
  ++requested_;
  open_request_ = header;
  return header;
}

Status NetlinkSocket::send_pending() {
  if (used_ == 0) return Status::success();
  last_request_->nlmsg_flags |= NLM_F_ACK;
  size_t until = requested_ - (open_request_ ? 1 : 0);  // requests in this batch end here
  uint32_t last_sequence = last_request_->nlmsg_seq;
  auto fail_batch = [&](const std::string& why) {
    for (size_t index = acked_; index < until; ++index) errors_.push_back({index, EIO, why});
    acked_ = until;
    used_ = 0;
    last_request_ = nullptr;
    return Status(Error{why});
  };
  if (mnl_socket_sendto(socket_, buffer_.data(), used_) < 0)
    return fail_batch("netlink send failed: " + errno_text(errno));
  used_ = 0;
  last_request_ = nullptr;
  for (;;) {
    ssize_t received = mnl_socket_recvfrom(socket_, receive_buffer_.data(), receive_buffer_.size());
    if (received < 0) {
      if (errno == EINTR) continue;
      // ENOBUFS: replies were dropped, so the outcome of some requests is unknown.
      return fail_batch("netlink receive failed: " + errno_text(errno));
    }
    bool done = false;
    auto* reply = reinterpret_cast<nlmsghdr*>(receive_buffer_.data());
    int remaining = int(received);
    for (; mnl_nlmsg_ok(reply, remaining); reply = mnl_nlmsg_next(reply, &remaining)) {
      if (reply->nlmsg_type != NLMSG_ERROR || reply->nlmsg_seq < first_sequence_) continue;
      size_t index = reply->nlmsg_seq - first_sequence_;
      if (index >= until) continue;
      const auto* error = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(reply));
      if (error->error != 0) errors_.push_back({index, -error->error, error_message(reply, error)});
      if (reply->nlmsg_seq == last_sequence) done = true;
    }
    if (done) break;
  }
  acked_ = until;
  return Status::success();
}

std::vector<RequestError> NetlinkSocket::flush() {
  close_open_request();
  Status sent = send_pending();
  (void)sent;
  std::vector<RequestError> errors;
  errors.swap(errors_);
  first_sequence_ += uint32_t(requested_);
  requested_ = 0;
  acked_ = 0;
  return errors;
}

Status NetlinkSocket::dump(uint16_t type, size_t header_size, const std::function<void(void* header)>& prepare,
                           const std::function<void(const nlmsghdr*)>& on_message) {
  // Writes first: their errors belong to the caller of flush().
  if (requested_ != 0) return Error{"netlink dump requested with unflushed writes"};
  std::vector<char> request(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* header = mnl_nlmsg_put_header(request.data());
  header->nlmsg_type = type;
  header->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  uint32_t sequence = first_sequence_++;
  header->nlmsg_seq = sequence;
  prepare(mnl_nlmsg_put_extra_header(header, header_size));
  if (mnl_socket_sendto(socket_, header, header->nlmsg_len) < 0)
    return Error{"netlink dump request failed: " + errno_text(errno)};

  struct Context {
    const std::function<void(const nlmsghdr*)>* on_message;
  } context{&on_message};
  auto callback = [](const nlmsghdr* message, void* data) -> int {
    (*static_cast<Context*>(data)->on_message)(message);
    return MNL_CB_OK;
  };
  for (;;) {
    ssize_t received = mnl_socket_recvfrom(socket_, receive_buffer_.data(), receive_buffer_.size());
    if (received < 0) {
      if (errno == EINTR) continue;
      return Error{"netlink dump failed: " + errno_text(errno)};
    }
    int result = mnl_cb_run(receive_buffer_.data(), size_t(received), sequence, port_id_, callback, &context);
    if (result == MNL_CB_STOP) return Status::success();
    if (result < 0) return Error{"netlink dump refused: " + errno_text(errno)};
  }
}

}  // namespace halink::fib
