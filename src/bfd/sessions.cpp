#include "bfd/sessions.h"

#include <algorithm>

namespace halink::bfd {

Sessions::Sessions(RandomSource random) : random_(std::make_shared<RandomSource>(std::move(random))) {}

Sessions::AddressKey Sessions::key_of(const SessionConfig& c) {
  return AddressKey{c.multihop, c.peer, c.multihop ? std::string() : c.interface};
}

Session* Sessions::session_at(uint32_t local_discriminator, uint32_t* slot) {
  auto it = slot_by_discriminator_.find(local_discriminator);
  if (it == slot_by_discriminator_.end()) return nullptr;
  *slot = it->second;
  return slots_[it->second].session.get();
}

Status Sessions::add(Time now, SessionConfig config) {
  uint32_t discriminator = config.local_discriminator;
  if (slot_by_discriminator_.contains(discriminator)) {
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
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  slots_[slot].session = std::make_unique<Session>(std::move(created).value());
  slots_[slot].scheduled = Time::never();
  slot_by_discriminator_.emplace(discriminator, slot);
  by_address_.emplace(std::move(key), discriminator);
  sync(slot);
  return Status::success();
}

bool Sessions::remove(uint32_t local_discriminator) {
  uint32_t slot;
  Session* session = session_at(local_discriminator, &slot);
  if (!session) return false;
  by_address_.erase(key_of(session->config()));
  slot_by_discriminator_.erase(local_discriminator);
  slots_[slot].session.reset();
  slots_[slot].scheduled = Time::never();
  free_slots_.push_back(slot);
  drop_stale_timers();
  return true;
}

Status Sessions::reconfigure(Time now, const SessionConfig& config) {
  uint32_t slot;
  Session* session = session_at(config.local_discriminator, &slot);
  if (!session) return Error{"no BFD session with local discriminator " + std::to_string(config.local_discriminator)};
  Status status = session->reconfigure(now, config);
  sync(slot);
  return status;
}

Status Sessions::set_admin_down(Time now, uint32_t local_discriminator, bool down) {
  uint32_t slot;
  Session* session = session_at(local_discriminator, &slot);
  if (!session) return Error{"no BFD session with local discriminator " + std::to_string(local_discriminator)};
  session->set_admin_down(now, down);
  sync(slot);
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
  uint32_t slot;
  Session* session = session_at(discriminator, &slot);
  if (!session) {
    unmatched_.count_drop(DropReason::unknown_your_discriminator);
    return DropReason::unknown_your_discriminator;
  }
  DropReason result = session->on_decoded_packet(now, p, bytes, source.ttl);
  sync(slot);
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
    if (timer_valid(top)) due_.push_back(top.slot);
  }
  for (uint32_t slot : due_) {
    Slot& s = slots_[slot];
    if (!s.session) continue;
    s.session->on_timer(now);
    s.scheduled = Time::never();  // its heap entry was consumed
    sync(slot);
  }
  drop_stale_timers();
}

Time Sessions::next_deadline() const { return timers_.empty() ? Time::never() : timers_.top().at; }

void Sessions::sync(uint32_t slot) {
  Slot& s = slots_[slot];
  s.session->drain_actions(actions_);
  Time deadline = s.session->next_deadline();
  if (deadline != s.scheduled) {
    s.scheduled = deadline;
    ++s.generation;
    if (!deadline.is_never()) timers_.push(TimerEntry{deadline, slot, s.generation});
  }
  drop_stale_timers();
}

// Keeps the heap's top valid so next_deadline() is exact.
void Sessions::drop_stale_timers() {
  while (!timers_.empty() && !timer_valid(timers_.top())) timers_.pop();
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
  auto it = slot_by_discriminator_.find(local_discriminator);
  return it == slot_by_discriminator_.end() ? nullptr : slots_[it->second].session.get();
}

const Session* Sessions::find(const IpAddress& peer, std::string_view interface, bool multihop) const {
  auto it = by_address_.find(AddressKey{multihop, peer, multihop ? std::string() : std::string(interface)});
  return it == by_address_.end() ? nullptr : find(it->second);
}

std::vector<SessionInfo> Sessions::snapshot() const {
  std::vector<SessionInfo> out;
  out.reserve(slot_by_discriminator_.size());
  for (const Slot& s : slots_) {
    if (s.session) out.push_back(s.session->info());
  }
  std::sort(out.begin(), out.end(),
            [](const SessionInfo& a, const SessionInfo& b) { return a.local_discriminator < b.local_discriminator; });
  return out;
}

}  // namespace halink::bfd
