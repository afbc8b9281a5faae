// Virtual datagram channels (UDP between two nodes over a fixed path), for
// BFD control packets (RFC 5881) and anything else that tolerates loss.
//
// Model assumptions:
// - A datagram crosses the path with latency plus serialisation of its bytes
//   and a 28-byte IPv4+UDP header, queued behind earlier packets per link.
// - It is lost, silently, when the path does not carry packets at send time,
//   when any link of the path dies while it is in flight, or when the
//   receiving node is down at arrival. There is no other loss, duplication
//   or reordering (the path is FIFO).
// - A channel is not a connection: it survives crashes, and a restarted node
//   receives on it again at once.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "sim/network.h"
#include "sim/scheduler.h"

namespace halink::sim {

using ChannelId = uint32_t;

class DatagramEvents {
public:
  virtual ~DatagramEvents() = default;
  virtual void datagram_received(NodeId node, ChannelId channel, std::span<const uint8_t> bytes) = 0;
};

struct ChannelCounters {
  uint64_t sent = 0;
  uint64_t delivered = 0;
  uint64_t lost = 0;
};

class DatagramModel {
public:
  static constexpr size_t header_bytes = 28;

  DatagramModel(Scheduler& scheduler, Network& network, DatagramEvents& events);

  // A channel between path.from and path.to; either end may send.
  ChannelId open(const Path& path);
  Status send(ChannelId channel, NodeId from, std::span<const uint8_t> bytes);

  const Path& path(ChannelId channel) const { return channels_.at(channel).path[0]; }
  NodeId peer(ChannelId channel, NodeId node) const;
  // Channels with `node` at one end, in id order.
  std::vector<ChannelId> channels_of(NodeId node) const;
  const ChannelCounters& counters(ChannelId channel) const { return channels_.at(channel).counters; }
  size_t channel_count() const { return channels_.size(); }

private:
  struct Channel {
    Path path[2];  // [0] from → to, [1] back
    ChannelCounters counters;
  };
  void arrived(ChannelId channel, int direction, uint64_t epoch, std::vector<uint8_t> bytes);

  Scheduler& scheduler_;
  Network& network_;
  DatagramEvents& events_;
  std::vector<Channel> channels_;
};

}  // namespace halink::sim
