#include "bfd/sessions.h"

#include <algorithm>

namespace halink::bfd {

Sessions::Sessions(RandomSource random) : random_(std::make_shared<RandomSource>(std::move(random))) {}

Sessions::AddressKey Sessions::key_of(const SessionConfig& c) {
  return AddressKey{c.multihop, c.peer, c.multihop ? std::string() : c.interface};
}

Status Sessions::add(Time now, SessionConfig config) {
  uint32_t discriminator = config.local_discriminator;
  if (sessions_.contains(discriminator)) {
    return Error{"BFD local discriminator " + std::to_string(discriminator) + " is already in use"};
  }
  AddressKey key = key_of(config);
  if (by_address_.contains(key)) {
    return Error{"a BFD session to " + config.peer.to_string() +
                 (key.interface.empty() ? std::string() : " on " + key.interface) + " already exists"};
  }
  // Every session draws from the one shared generator, so their jitter is
  // independent rather than copies of the same sequence.
  auto created = Session::create(
      std::move(config), [r = random_] { return (*r)(); }, now);
  if (!created) return created.error();
  Entry& entry = sessions_[discriminator];
  entry.session = std::make_unique<Session>(std::move(created).value());
  by_address_.emplace(std::move(key), discriminator);
  sync(discriminator, entry);
  return Status::success();
}

bool Sessions::remove(uint32_t local_discriminator) {
  auto it = sessions_.find(local_discriminator);
  if (it == sessions_.end()) return false;
  by_address_.erase(key_of(it->second.session->config()));
  sessions_.erase(it);
  drop_stale_timers();
  return true;
}

Status Sessions::reconfigure(Time now, const SessionConfig& config) {
  auto it = sessions_.find(config.local_discriminator);
  if (it == sessions_.end()) {
    return Error{"no BFD session with local discriminator " + std::to_string(config.local_discriminator)};
  }
  Status status = it->second.session->reconfigure(now, config);
  sync(it->first, it->second);
  return status;
}

Status Sessions::set_admin_down(Time now, uint32_t local_discriminator, bool down) {
  auto it = sessions_.find(local_discriminator);
  if (it == sessions_.end()) {
    return Error{"no BFD session with local discriminator " + std::to_string(local_discriminator)};
  }
  it->second.session->set_admin_down(now, down);
  sync(it->first, it->second);
  return Status::success();
}

DropReason Sessions::on_packet(Time now, std::span<const uint8_t> bytes, const PacketSource& source) {
  DecodedPacket decoded = decode_control_packet(bytes);
  if (!decoded.ok()) {
    unmatched_.count_drop(decoded.drop);
    return decoded.drop;
  }
  const ControlPacket& p = decoded.packet;
  uint32_t discriminator = p.your_discriminator;
  if (discriminator == 0) {
    // RFC 5881 §3 / RFC 5883 §3: the first packets are matched by addresses.
    auto by_address = by_address_.find(
        AddressKey{source.multihop, source.peer, source.multihop ? std::string() : std::string(source.interface)});
    if (by_address == by_address_.end()) {
      unmatched_.count_drop(DropReason::no_session_for_source);
      return DropReason::no_session_for_source;
    }
    discriminator = by_address->second;
  }
  auto it = sessions_.find(discriminator);
  if (it == sessions_.end()) {
    unmatched_.count_drop(DropReason::unknown_your_discriminator);
    return DropReason::unknown_your_discriminator;
  }
  DropReason result = it->second.session->on_decoded_packet(now, p, bytes, source.ttl);
  sync(it->first, it->second);
  return result;
}

void Sessions::on_timer(Time now) {
  // Collect the due sessions first: a session re-armed for `now` (which a
  // correct session never does) is then handled on the next call instead of
  // looping here.
  due_.clear();
  while (!timers_.empty() && timers_.top().at <= now) {
    TimerEntry top = timers_.top();
    timers_.pop();
    auto it = sessions_.find(top.local_discriminator);
    if (it != sessions_.end() && it->second.generation == top.generation) due_.push_back(top.local_discriminator);
  }
  for (uint32_t discriminator : due_) {
    auto it = sessions_.find(discriminator);
    if (it == sessions_.end()) continue;
    it->second.session->on_timer(now);
    it->second.scheduled = Time::never();  // its entry was consumed
    sync(discriminator, it->second);
  }
  drop_stale_timers();
}

Time Sessions::next_deadline() const { return timers_.empty() ? Time::never() : timers_.top().at; }

void Sessions::sync(uint32_t local_discriminator, Entry& entry) {
  entry.session->drain_actions(actions_);
  Time deadline = entry.session->next_deadline();
  if (deadline != entry.scheduled) {
    entry.scheduled = deadline;
    ++entry.generation;
    if (!deadline.is_never()) timers_.push(TimerEntry{deadline, local_discriminator, entry.generation});
  }
  drop_stale_timers();
}

// Keeps the heap's top valid so next_deadline() is exact.
void Sessions::drop_stale_timers() {
  while (!timers_.empty()) {
    const TimerEntry& top = timers_.top();
    auto it = sessions_.find(top.local_discriminator);
    if (it != sessions_.end() && it->second.generation == top.generation) return;
    timers_.pop();
  }
}

void Sessions::drain_actions(std::vector<Action>& out) {
  if (out.empty()) {
    out.swap(actions_);
    return;
  }
  for (Action& a : actions_) out.push_back(std::move(a));
  actions_.clear();
}

std::vector<Action> Sessions::take_actions() {
  std::vector<Action> out;
  out.swap(actions_);
  return out;
}

const Session* Sessions::find(uint32_t local_discriminator) const {
  auto it = sessions_.find(local_discriminator);
  return it == sessions_.end() ? nullptr : it->second.session.get();
}

const Session* Sessions::find(const IpAddress& peer, std::string_view interface, bool multihop) const {
  auto it = by_address_.find(AddressKey{multihop, peer, multihop ? std::string() : std::string(interface)});
  return it == by_address_.end() ? nullptr : find(it->second);
}

std::vector<SessionInfo> Sessions::snapshot() const {
  std::vector<SessionInfo> out;
  out.reserve(sessions_.size());
  for (const auto& [discriminator, entry] : sessions_) out.push_back(entry.session->info());
  std::sort(out.begin(), out.end(),
            [](const SessionInfo& a, const SessionInfo& b) { return a.local_discriminator < b.local_discriminator; });
  return out;
}

}  // namespace halink::bfd
