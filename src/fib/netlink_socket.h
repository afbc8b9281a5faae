// An rtnetlink socket (libmnl) that sends many requests per sendmsg() and
// checks the outcome of each one.
//
// The kernel reports every refused request with an error message carrying
// its sequence number, and handles the requests of one sendmsg() in order.
// So only the last request of each sendmsg() asks for an acknowledgement:
// when it arrives, every earlier request has either succeeded or had its
// error read. This costs one receive per sendmsg() instead of one per route,
// which matters at a million routes.
//
// The socket belongs to the network namespace of the thread that opened it,
// which is how tests and benchmarks reach a scratch namespace.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

struct mnl_socket;
struct nlmsghdr;

namespace halink::fib {

struct RequestError {
  size_t index;  // order of begin_request() since the last flush()
  int error;     // errno value
  std::string message;  // strerror text, then the kernel's extended ack text if any
};

class NetlinkSocket {
public:
  static Result<std::unique_ptr<NetlinkSocket>> open();
  ~NetlinkSocket();
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;

  // A new request with NLM_F_REQUEST | `flags`, to be filled
  // (mnl_nlmsg_put_extra_header, mnl_attr_put...) before the next call. A full
  // buffer is sent at once and its acks collected; flush() sends the rest.
  nlmsghdr* begin_request(uint16_t type, uint16_t flags);
  // Sends what is pending, waits for every ack, and returns the requests the
  // kernel refused since the previous flush().
  std::vector<RequestError> flush();
  size_t pending_requests() const { return requested_ - acked_; }

  // A dump request (NLM_F_DUMP), after flush() for `type` with a family header of
  // `header_size` bytes prepared by `prepare`; `on_message` sees every reply.
  Status dump(uint16_t type, size_t header_size, const std::function<void(void* header)>& prepare,
              const std::function<void(const nlmsghdr*)>& on_message);

private:
  NetlinkSocket() = default;
  void close_open_request();
  Status send_pending();

  mnl_socket* socket_ = nullptr;
  uint32_t port_id_ = 0;
  std::vector<char> buffer_;     // requests not sent yet
  size_t used_ = 0;              // bytes of buffer_ holding complete requests
  nlmsghdr* open_request_ = nullptr;  // begun, being filled, not yet in used_
  nlmsghdr* last_request_ = nullptr;  // the last complete request in buffer_
  uint32_t first_sequence_ = 1;  // sequence number of request index 0
  size_t requested_ = 0;         // requests begun since the last flush
  size_t acked_ = 0;             // of which known to be done
  std::vector<RequestError> errors_;
  std::vector<char> receive_buffer_;
};

}  // namespace halink::fib
