#include "sim/datagram.h"

#include <string>

namespace halink::sim {

DatagramModel::DatagramModel(Scheduler& scheduler, Network& network, DatagramEvents& events)
    : scheduler_(scheduler), network_(network), events_(events) {}

ChannelId DatagramModel::open(const Path& path) {
  channels_.push_back(Channel{{path, path.reversed()}, {}});
  return static_cast<ChannelId>(channels_.size() - 1);
}

NodeId DatagramModel::peer(ChannelId channel, NodeId node) const {
  const Path& path = channels_.at(channel).path[0];
  return node == path.from ? path.to : path.from;
}

std::vector<ChannelId> DatagramModel::channels_of(NodeId node) const {
  std::vector<ChannelId> out;
  for (size_t i = 0; i < channels_.size(); ++i)
    if (channels_[i].path[0].from == node || channels_[i].path[0].to == node) out.push_back(static_cast<ChannelId>(i));
  return out;
}

Status DatagramModel::send(ChannelId channel, NodeId from, std::span<const uint8_t> bytes) {
  if (channel >= channels_.size()) return Error{"datagram channel " + std::to_string(channel) + " does not exist"};
  Channel& c = channels_[channel];
  const int direction = c.path[0].from == from ? 0 : c.path[1].from == from ? 1 : -1;
  if (direction < 0)
    return Error{"datagram channel " + std::to_string(channel) + " does not end at " + network_.node_name(from)};
  ++c.counters.sent;
  const Path& path = c.path[direction];
  if (!network_.node_up(from) || !network_.path_usable(path)) {
    ++c.counters.lost;
    return Status::success();  // UDP does not report a silent loss
  }
  const uint64_t epoch = network_.path_epoch(path);
  const Time arrival = network_.transmit(path, bytes.size() + header_bytes, scheduler_.now());
  scheduler_.schedule_at(arrival, [this, channel, direction, epoch, data = std::vector<uint8_t>(bytes.begin(), bytes.end())]() mutable {
    arrived(channel, direction, epoch, std::move(data));
  });
  return Status::success();
}

void DatagramModel::arrived(ChannelId channel, int direction, uint64_t epoch, std::vector<uint8_t> bytes) {
  Channel& c = channels_[channel];
  const Path& path = c.path[direction];
  if (network_.path_epoch(path) != epoch || !network_.node_up(path.to)) {
    ++c.counters.lost;
    return;
  }
  ++c.counters.delivered;
  events_.datagram_received(path.to, channel, bytes);
}

}  // namespace halink::sim
