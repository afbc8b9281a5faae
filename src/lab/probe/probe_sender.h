// `halink probe send`: UDP flows towards a probe receiver.
//
// Each flow has its own socket and so its own UDP source port, which is what
// the kernel's L4 multipath hash (fib_multipath_hash_policy=1) spreads over
// ECMP next hops. Packets are paced by SendSchedule and sent when an absolute
// CLOCK_MONOTONIC timerfd fires (no busy spin). Send errors (no route while a
// failure is injected, a full queue) are counted, never fatal: the receiver
// sees them as loss, which is what they are. At the end each flow sends end
// markers announcing its last sequence number so a loss at the very end is
// counted too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ip.h"
#include "core/result.h"
#include "core/time.h"
#include "lab/probe/probe_packet.h"

namespace halink::lab {

struct ProbeSenderOptions {
  IpAddress to;
  uint16_t port = 4000;
  std::optional<IpAddress> from;  // source address; default: the kernel's choice
  uint16_t source_port_base = 0;  // flow f uses base + f; 0: ephemeral ports
  uint32_t flows = 64;
  uint32_t rate = 1000;  // packets per second per flow
  Duration duration = Duration::infinite();
  size_t size = probe_header_size;  // datagram size (padding after the header)
  uint32_t first_sequence = 0;
  Duration tick = Duration::microseconds(200);  // wake-up granularity (SendSchedule::wake_at)
  int end_markers = 3;                            // copies of each flow's end marker, 5 ms apart
  // A sender this far behind its schedule (not scheduled by the kernel for a
  // while) resumes at its rate rather than sending the backlog in a burst.
  Duration max_behind = Duration::milliseconds(50);
};

Status validate(const ProbeSenderOptions& options);

struct ProbeSenderResult {
  uint64_t run_id = 0;
  std::string to;
  uint32_t flows = 0;
  uint32_t rate = 0;
  std::vector<uint16_t> source_ports;  // index = flow id
  uint64_t packets = 0;                // data packets handed to the kernel
  uint64_t send_errors = 0;            // refused by the kernel (e.g. no route): lost at the source
  std::string last_error;
  int64_t max_lateness_ns = 0;         // worst delay of a send behind its schedule
  uint64_t stalls = 0;                 // times it fell max_behind behind and resumed
  int64_t stalled_ns = 0;              // time skipped that way (no packets, no sequence numbers)
  int64_t started_ns = 0, stopped_ns = 0;
};

nlohmann::json sender_result_to_json(const ProbeSenderResult& result);
std::string sender_result_to_text(const ProbeSenderResult& result);

class ProbeSender {
public:
  // Opens one socket per flow (in the calling thread's network namespace).
  static Result<ProbeSender> open(const ProbeSenderOptions& options);
  ProbeSender(ProbeSender&& other) noexcept;
  ProbeSender& operator=(ProbeSender&&) = delete;
  ~ProbeSender();

  // Sends until the duration has passed or `stop_fd` becomes readable
  // (a signalfd or eventfd), then the end markers.
  ProbeSenderResult run(int stop_fd);

private:
  explicit ProbeSender(const ProbeSenderOptions& options) : options_(options) {}
  void send_end_markers(const std::vector<ProbePacket>& last_sent, ProbeSenderResult& result);
  bool send(int socket, const uint8_t* bytes, size_t size, ProbeSenderResult& result);

  ProbeSenderOptions options_;
  std::vector<int> sockets_;
  int timer_fd_ = -1;
  uint64_t run_id_ = 0;
};

}  // namespace halink::lab
