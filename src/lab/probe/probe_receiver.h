// `halink probe receive`: one UDP socket taking every flow's packets into a
// FlowTracker, until the duration has passed or it is told to stop; then the
// report. Receive times are read once per recvmmsg batch.
//
// The socket buffer is made large (32 MiB, SO_RCVBUFFORCE as root) and its
// overflow counter (SO_RXQ_OVFL) is reported as socket_drops, so a probe that
// could not keep up is told apart from a network that lost packets.
#pragma once

#include <cstdint>

#include "core/ip.h"
#include "core/result.h"
#include "core/time.h"
#include "lab/probe/flow_tracker.h"
#include "lab/probe/probe_report.h"

namespace halink::lab {

struct ProbeReceiverOptions {
  IpAddress listen;
  uint16_t port = 4000;
  Duration duration = Duration::infinite();
  Duration silence_grace = Duration::milliseconds(50);  // FlowTrackerOptions
  int receive_buffer_bytes = 32 << 20;
};

class ProbeReceiver {
public:
  // Binds the socket (in the calling thread's network namespace); packets
  // are queued from then on and the tracker's clock starts.
  static Result<ProbeReceiver> open(const ProbeReceiverOptions& options);
  ProbeReceiver(ProbeReceiver&& other) noexcept;
  ProbeReceiver& operator=(ProbeReceiver&&) = delete;
  ~ProbeReceiver();

  // Receives until the duration has passed or `stop_fd` becomes readable
  // (a signalfd or eventfd); takes what is already queued, then reports.
  ProbeReport run(int stop_fd);

private:
  ProbeReceiver(const ProbeReceiverOptions& options, Time started)
      : options_(options), started_(started), tracker_({started, options.silence_grace}) {}
  // Reads every datagram queued now; false on a socket error.
  bool drain();

  ProbeReceiverOptions options_;
  Time started_;
  FlowTracker tracker_;
  int socket_ = -1;
  uint64_t socket_drops_ = 0;
};

}  // namespace halink::lab
