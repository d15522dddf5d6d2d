// delivery.cpp — connector records, batching by count/bytes/age, delivery positions, dead letters.
#include "internal/delivery.hpp"

#include <journeykit/hashing.hpp>
#include <journeykit/journey_map.hpp>

#include "internal/json_writer.hpp"
#include "internal/plugin_instance.hpp"

#include <algorithm>
#include <optional>
#include <thread>

namespace journeykit::internal {

uint64_t RecordDigest(std::string_view json) {
  return Fnv1a64(json) & 0x7fffffffffffffffull;  // stored as a SQLite INTEGER
}

// ---- RecordQueue -------------------------------------------------------------------------

bool RecordQueue::Push(OutRecord record) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return closed_ || records_.size() < capacity_; });
  if (closed_) return false;
  records_.push_back(std::move(record));
  changed_.notify_all();
  return true;
}

RecordQueue::Pop RecordQueue::PopUntil(OutRecord& out,
                                       std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_until(lock, deadline, [&] { return !records_.empty() || finished_; })) {
    return Pop::kTimeout;
  }
  if (records_.empty()) return Pop::kEnd;
  out = std::move(records_.front());
  records_.pop_front();
  changed_.notify_all();
  return Pop::kRecord;
}

void RecordQueue::Finish() {
  std::lock_guard lock(mutex_);
  finished_ = true;
  changed_.notify_all();
}

void RecordQueue::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  discarded_ += records_.size();
  records_.clear();
  changed_.notify_all();
}

size_t RecordQueue::Discarded() const {
  std::lock_guard lock(mutex_);
  return discarded_;
}

// ---- RecordFactory -----------------------------------------------------------------------

namespace {

constexpr std::string_view kEmailHashKind = "email_sha256:";

std::string JsonStringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& s : items) {
    if (out.size() > 1) out.push_back(',');
    AppendJsonString(out, s);
  }
  out.push_back(']');
  return out;
}

}  // namespace

RecordFactory::RecordFactory(const JourneyAnalysis& analysis, const StateStore& store)
    : analysis_(analysis), store_(store) {}

Status RecordFactory::Init() {
  JK_ASSIGN_OR_RETURN(auto addresses, store_.LoadEmailAddresses());
  addresses_.reserve(addresses.size());
  for (auto& [hash, email] : addresses) addresses_.emplace(std::move(hash), std::move(email));
  const JourneySet& j = *analysis_.journeys;
  person_index_.reserve(j.person_count());
  for (uint32_t p = 0; p < j.person_count(); ++p) person_index_.emplace(j.person_id(p), p);
  std::vector<std::string> nps = VoiceOptions{}.nps_actions;
  if (analysis_.plan.voice) nps = analysis_.plan.voice->options.nps_actions;
  // Actions are interned: decide once per action string id whether it is an NPS action, so
  // Journey() tests an event with one lookup (and threads share the table read-only).
  const EventStore& es = *analysis_.events;
  is_nps_action_.assign(es.strings().size(), 0);
  std::vector<uint8_t> seen(es.strings().size(), 0);
  for (size_t i = 0; i < es.size(); ++i) {
    uint32_t id = es.action(i);
    if (seen[id]) continue;
    seen[id] = 1;
    is_nps_action_[id] = std::find(nps.begin(), nps.end(), es.action_name(i)) != nps.end();
  }
  return Status::Ok();
}

uint32_t RecordFactory::FindPerson(std::string_view person_id) const {
  auto it = person_index_.find(person_id);
  return it == person_index_.end() ? kNoPerson : it->second;
}

bool RecordFactory::PersonInSegments(uint32_t p, const std::vector<int>& segments) const {
  if (segments.empty()) return true;
  if (p == kNoPerson) return false;
  for (int s : segments) {
    if (analysis_.journeys->in_segment(p, s)) return true;
  }
  return false;
}

bool RecordFactory::PersonHasEmail(uint32_t p, bool hash_emails) const {
  if (p == kNoPerson) return false;
  for (std::string_view id : analysis_.journeys->identities(p)) {
    if (id.substr(0, kEmailHashKind.size()) != kEmailHashKind) continue;
    return hash_emails || addresses_.contains(std::string(id.substr(kEmailHashKind.size())));
  }
  return false;
}

// "email" (the address, when known and allowed) and "email_sha256" of the person's first
// e-mail identity.
void RecordFactory::PersonEmail(uint32_t p, bool hash_emails, JsonObjectWriter& w) const {
  if (p == kNoPerson) return;
  for (std::string_view id : analysis_.journeys->identities(p)) {
    if (id.substr(0, kEmailHashKind.size()) != kEmailHashKind) continue;
    std::string hash(id.substr(kEmailHashKind.size()));
    if (!hash_emails) {
      auto it = addresses_.find(hash);
      if (it != addresses_.end()) w.String("email", it->second);
    }
    w.String("email_sha256", hash);
    return;
  }
}

std::string RecordFactory::Event(size_t i, const journeykit::Event& e) const {
  const EventStore& es = *analysis_.events;
  const JourneySet& j = *analysis_.journeys;
  const JourneyModel& model = *analysis_.model;
  uint32_t p = i < es.size() ? j.person_of_event(i) : kNoPerson;
  std::string json;
  JsonObjectWriter w(json);
  p == kNoPerson ? w.Null("person_id") : w.String("person_id", j.person_id(p));
  w.String("source", e.source).String("event_id", e.event_id);
  w.String("time", FormatTimeUs(e.time_us)).Int("time_us", e.time_us);
  w.String("action", e.action);
  if (i < es.size()) {
    const Touchpoint& tp = model.touchpoints()[es.touchpoint(i)];
    w.String("touchpoint", tp.id).String("channel", tp.channel).Bool("online", tp.online);
    es.stage(i) == kNoStage ? w.Null("stage") : w.String("stage", model.stages()[es.stage(i)].id);
  }
  if (e.value) w.Number("value", *e.value);
  if (!e.currency.empty()) w.String("currency", e.currency);
  if (e.rating) w.Number("rating", *e.rating);
  if (const std::string* url = FindValue(e.hints, "url")) w.String("url", *url);
  w.Close();
  return json;
}

std::string RecordFactory::Journey(uint32_t p, bool hash_emails) const {
  const JourneySet& j = *analysis_.journeys;
  const EventStore& es = *analysis_.events;
  const JourneyModel& model = *analysis_.model;
  auto events = j.events(p);
  std::string json;
  JsonObjectWriter w(json);
  w.String("person_id", j.person_id(p));
  PersonEmail(p, hash_emails, w);
  std::string ids = "[";
  for (std::string_view id : j.identities(p)) {
    if (ids.size() > 1) ids.push_back(',');
    AppendJsonString(ids, id);
  }
  ids += "]";
  w.Raw("identities", ids);
  std::vector<std::string> segments;
  for (size_t s = 0; s < model.segments().size(); ++s) {
    if (j.in_segment(p, static_cast<int>(s))) segments.push_back(model.segments()[s].id);
  }
  w.Raw("segments", JsonStringArray(segments));
  w.Int("events", static_cast<int64_t>(events.size()));
  w.String("first_seen", FormatTimeUs(es.time_us(events.front())));
  w.String("last_seen", FormatTimeUs(es.time_us(events.back())));
  // Current stage: the stage of the latest event that has one.
  const Stage* current = nullptr;
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (es.stage(*it) != kNoStage) {
      current = &model.stages()[es.stage(*it)];
      break;
    }
  }
  if (current != nullptr) {
    w.String("current_stage", current->id).String("current_stage_name", current->name);
  } else {
    w.Null("current_stage").Null("current_stage_name");
  }
  std::string entries = "{";
  for (size_t s = 0; s < model.stages().size(); ++s) {
    int64_t t = j.stage_entry(p, s);
    if (t == kNotReached) continue;
    if (entries.size() > 1) entries.push_back(',');
    AppendJsonString(entries, model.stages()[s].id);
    entries.push_back(':');
    AppendJsonString(entries, FormatTimeUs(t));
  }
  entries += "}";
  w.Raw("stage_entries", entries);
  const Touchpoint& last = model.touchpoints()[es.touchpoint(events.back())];
  w.String("last_touchpoint", last.id).String("last_channel", last.channel);
  // NPS: the person's latest answer with a score on the 0..10 scale.
  std::optional<double> nps;
  for (auto it = events.rbegin(); it != events.rend() && !nps; ++it) {
    if (!is_nps_action_[es.action(*it)]) continue;
    auto r = es.rating(*it);
    if (r && *r >= 0 && *r <= 10) nps = r;
  }
  if (nps) {
    w.Number("nps", *nps);
    w.String("nps_category", *nps >= 9 ? "promoter" : *nps >= 7 ? "passive" : "detractor");
  } else {
    w.Null("nps").Null("nps_category");
  }
  w.Close();
  return json;
}

void RecordFactory::StageChanges(
    uint32_t p, bool hash_emails,
    const std::function<void(std::string key, std::string json)>& fn) const {
  const JourneySet& j = *analysis_.journeys;
  const JourneyModel& model = *analysis_.model;
  std::vector<std::pair<int64_t, size_t>> entered;  // (time, stage) in the order entered
  for (size_t s = 0; s < model.stages().size(); ++s) {
    int64_t t = j.stage_entry(p, s);
    if (t != kNotReached) entered.emplace_back(t, s);
  }
  std::sort(entered.begin(), entered.end());
  for (size_t k = 0; k < entered.size(); ++k) {
    const Stage& stage = model.stages()[entered[k].second];
    std::string json;
    JsonObjectWriter w(json);
    w.String("person_id", j.person_id(p));
    PersonEmail(p, hash_emails, w);
    w.String("stage", stage.id).String("stage_name", stage.name);
    w.String("entered_at", FormatTimeUs(entered[k].first)).Int("entered_at_us", entered[k].first);
    k == 0 ? w.Null("previous_stage")
           : w.String("previous_stage", model.stages()[entered[k - 1].second].id);
    w.Close();
    fn(j.person_id(p) + ":" + stage.id, std::move(json));
  }
}

std::string RecordFactory::AudienceChange(const journeykit::AudienceChange& c,
                                          bool hash_emails) const {
  std::string json;
  JsonObjectWriter w(json);
  w.Int("seq", static_cast<int64_t>(c.seq));
  w.String("audience", c.audience);
  for (const AudienceDefinition& d : analysis_.audience_definitions) {
    if (d.id == c.audience) {
      w.String("audience_name", d.name);
      break;
    }
  }
  w.String("person_id", c.person_id);
  PersonEmail(FindPerson(c.person_id), hash_emails, w);
  w.String("change", c.entered ? "entered" : "left");
  w.String("at", FormatTimeUs(c.as_of_us)).Int("at_us", c.as_of_us);
  w.Close();
  return json;
}

// ---- producing records for one connector ------------------------------------------------

namespace {

size_t StreamIndex(std::string_view name) {
  for (size_t i = 0; i < std::size(kReceivable); ++i) {
    if (name == kReceivable[i]) return i;
  }
  return std::size(kReceivable);
}

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

struct Counters {
  std::atomic<uint64_t> skipped{0};
  std::atomic<uint64_t> pending{0};  // produced after the sender stopped
};

// Produces every record of `job` the connector has not accepted yet, in stream order.
// Returns a failure of the state store; after the queue is closed it only counts.
Status Produce(const DeliveryJob& job, RecordQueue& queue, Counters& counters) {
  const ConnectorSpec& c = *job.spec;
  const RecordFactory& f = *job.records;
  const JourneyAnalysis& a = f.analysis();
  const JourneyModel& model = *a.model;
  const bool hash = c.hash_emails;
  std::vector<int> segments;
  for (const std::string& id : c.filter.segments) {
    for (size_t s = 0; s < model.segments().size(); ++s) {
      if (model.segments()[s].id == id) segments.push_back(static_cast<int>(s));
    }
  }
  // The filter's conditions on the person (segments, an e-mail).
  auto person_kept = [&](uint32_t p) {
    return f.PersonInSegments(p, segments) && (!c.filter.with_email || f.PersonHasEmail(p, hash));
  };
  bool open = true;
  auto push = [&](OutRecord r) {
    if (open) open = queue.Push(std::move(r));
    if (!open) ++counters.pending;
  };
  auto wants = [&](std::string_view s) {
    return std::find(c.receives.begin(), c.receives.end(), s) != c.receives.end();
  };
  // Keyed streams: only records whose JSON changed since the connector accepted them.
  auto keyed =
      [&](uint8_t stream, const std::string& type,
          const std::function<void(const std::function<void(std::string, std::string)>&)>& each)
      -> Status {
    std::unordered_map<std::string, uint64_t> known;
    if (!c.delivery.snapshot) {
      JK_ASSIGN_OR_RETURN(auto delivered, job.store->LoadDeliveredDigests(c.name, type));
      known.insert(delivered.begin(), delivered.end());
    }
    each([&](std::string key, std::string json) {
      uint64_t digest = RecordDigest(json);
      auto it = known.find(key);
      if (it != known.end() && it->second == digest) return;
      push(OutRecord{stream, type, std::move(key), std::move(json), 0, digest});
    });
    return Status::Ok();
  };

  if (wants("events")) {
    uint8_t stream = static_cast<uint8_t>(StreamIndex("events"));
    uint64_t position = 0, index = 0;
    if (!c.delivery.snapshot) {
      JK_ASSIGN_OR_RETURN(position, job.store->LoadDeliveryPosition(c.name, "events"));
      JK_ASSIGN_OR_RETURN(index, job.store->CountEventsUpTo(position));
    }
    const EventStore& es = *a.events;
    for (;;) {
      size_t rows = 0;
      std::vector<OutRecord> chunk;
      JK_RETURN_IF_ERROR(
          job.store->ForEachEventAfter(position, 2000, [&](uint64_t seq, const Event& e) {
            ++rows;
            position = seq;
            size_t i = index++;
            const uint32_t p = i < es.size() ? a.journeys->person_of_event(i) : kNoPerson;
            bool keep = Contains(c.filter.sources, e.source) &&
                        Contains(c.filter.actions, e.action) && person_kept(p);
            if (keep && !c.filter.stages.empty()) {
              keep = i < es.size() && es.stage(i) != kNoStage &&
                     Contains(c.filter.stages, model.stages()[es.stage(i)].id);
            }
            if (!keep) {
              ++counters.skipped;
              return;
            }
            chunk.push_back(
                OutRecord{stream, "event", e.source + ":" + e.event_id, f.Event(i, e), seq, 0});
          }));
      for (OutRecord& r : chunk) push(std::move(r));
      if (rows == 0) break;
    }
  }
  if (wants("stage_changes")) {
    JK_RETURN_IF_ERROR(keyed(static_cast<uint8_t>(StreamIndex("stage_changes")), "stage_change",
                             [&](const auto& emit) {
                               for (uint32_t p = 0; p < a.journeys->person_count(); ++p) {
                                 if (!person_kept(p)) continue;
                                 f.StageChanges(p, hash, [&](std::string key, std::string json) {
                                   std::string stage = key.substr(key.rfind(':') + 1);
                                   if (!Contains(c.filter.stages, stage)) {
                                     ++counters.skipped;
                                     return;
                                   }
                                   emit(std::move(key), std::move(json));
                                 });
                               }
                             }));
  }
  if (wants("audience_changes")) {
    uint8_t stream = static_cast<uint8_t>(StreamIndex("audience_changes"));
    uint64_t position = 0;
    if (!c.delivery.snapshot) {
      JK_ASSIGN_OR_RETURN(position, job.store->LoadDeliveryPosition(c.name, "audience_changes"));
    }
    for (;;) {
      JK_ASSIGN_OR_RETURN(auto changes, job.store->AudienceChangesSince(position, 2000));
      if (changes.empty()) break;
      for (const journeykit::AudienceChange& ch : changes) {
        position = ch.seq;
        if (!Contains(c.filter.audiences, ch.audience) ||
            !person_kept(f.FindPerson(ch.person_id))) {
          ++counters.skipped;
          continue;
        }
        push(OutRecord{stream, "audience_change",
                       ch.audience + ":" + ch.person_id + ":" + std::to_string(ch.seq),
                       f.AudienceChange(ch, hash), ch.seq, 0});
      }
    }
  }
  if (wants("journeys")) {
    JK_RETURN_IF_ERROR(
        keyed(static_cast<uint8_t>(StreamIndex("journeys")), "journey", [&](const auto& emit) {
          const JourneySet& j = *a.journeys;
          const EventStore& es = *a.events;
          for (uint32_t p = 0; p < j.person_count(); ++p) {
            bool keep = person_kept(p);
            if (keep && !c.filter.stages.empty()) {
              keep = false;
              auto ev = j.events(p);
              for (auto it = ev.rbegin(); it != ev.rend(); ++it) {
                if (es.stage(*it) == kNoStage) continue;
                keep = Contains(c.filter.stages, model.stages()[es.stage(*it)].id);
                break;
              }
            }
            if (!keep) {
              ++counters.skipped;
              continue;
            }
            emit(j.person_id(p), f.Journey(p, hash));
          }
        }));
  }
  if (wants("stage_table")) {
    JK_RETURN_IF_ERROR(keyed(
        static_cast<uint8_t>(StreamIndex("stage_table")), "stage_table", [&](const auto& emit) {
          for (const StageFunnel& fu : a.funnels) {
            for (const StageFunnelRow& row : fu.rows) {
              std::string json;
              JsonObjectWriter w(json);
              w.String("segment", fu.segment_id).String("segment_name", fu.segment_name);
              w.String("stage", row.stage_id)
                  .String("stage_name", row.stage_name)
                  .Bool("goal", row.goal);
              w.Int("people_in_segment", static_cast<int64_t>(fu.people));
              w.Int("reached", static_cast<int64_t>(row.reached));
              w.Int("progressed", static_cast<int64_t>(row.progressed));
              w.Int("dropped", static_cast<int64_t>(row.dropped));
              row.conversion_rate ? w.Number("conversion_rate", *row.conversion_rate)
                                  : w.Null("conversion_rate");
              row.drop_off_rate ? w.Number("drop_off_rate", *row.drop_off_rate)
                                : w.Null("drop_off_rate");
              row.median_time_to_next_s
                  ? w.Number("median_time_to_next_s", *row.median_time_to_next_s)
                  : w.Null("median_time_to_next_s");
              w.Int("events", static_cast<int64_t>(row.events));
              w.Close();
              emit(fu.segment_id + ":" + row.stage_id, std::move(json));
            }
          }
        }));
  }
  if (wants("journey_map")) {
    JK_RETURN_IF_ERROR(keyed(static_cast<uint8_t>(StreamIndex("journey_map")), "journey_map",
                             [&](const auto& emit) {
                               for (const JourneyMap& map : a.maps) {
                                 emit(map.segment_id, JourneyMapToJson(map));
                               }
                             }));
  }
  return Status::Ok();
}

// Writes one batch (OutRecord or DeadLetter: type, key, json). refused[i] receives the reason
// of each record the destination refused one by one (Host::reject; the first reason wins).
template <typename Record>
Status WriteBatch(PluginInstance& instance, const std::vector<Record>& batch,
                  std::vector<std::optional<std::string>>& refused) {
  std::vector<jk_record> records(batch.size());
  std::unordered_map<std::string_view, size_t> by_key;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Record& r = batch[i];
    records[i] = jk_record{sizeof(jk_record),
                           {r.type.data(), r.type.size()},
                           {r.key.data(), r.key.size()},
                           {r.json.data(), r.json.size()}};
    by_key.emplace(r.key, i);
  }
  refused.assign(batch.size(), std::nullopt);
  instance.SetRejectSink([&](std::string_view key, std::string_view reason) {
    auto it = by_key.find(key);
    if (it == by_key.end()) return false;
    if (!refused[it->second]) refused[it->second] = std::string(reason);
    return true;
  });
  Status s = instance.Write(records);
  instance.SetRejectSink(nullptr);
  return s;
}

bool IsPositionStream(uint8_t stream) {
  std::string_view name = kReceivable[stream];
  return name == "events" || name == "audience_changes";
}

// Cuts batches from the queue and writes them; commits positions and dead letters.
class Sender {
 public:
  Sender(const DeliveryJob& job, DeliveryReport& report) : job_(job), report_(report) {
    const DeliverySettings& d = job.spec->delivery;
    max_records_ = std::max<uint32_t>(d.max_records, 1);
    max_bytes_ = std::max<uint64_t>(d.max_bytes, 1);
    max_wait_ = std::chrono::milliseconds(d.max_wait_ms);
  }

  // Runs until the queue ends or delivery stops; returns true when it stopped early.
  bool Run(RecordQueue& queue) {
    using Clock = std::chrono::steady_clock;
    Clock::time_point started{};
    for (;;) {
      if (job_.cancelled->load()) {
        Stop(Cancelled(job_.spec->name + ": the run was stopped; undelivered records stay for "
                                         "the next run"));
      }
      if (stopped_) break;
      OutRecord r;
      Clock::time_point deadline =
          batch_.empty() ? Clock::now() + std::chrono::milliseconds(200) : started + max_wait_;
      auto pop = queue.PopUntil(r, deadline);
      if (pop == RecordQueue::Pop::kTimeout) {
        if (!batch_.empty()) Send();
        continue;
      }
      if (pop == RecordQueue::Pop::kEnd) {
        if (!batch_.empty()) Send();
        break;
      }
      if (!batch_.empty() && r.stream != batch_.front().stream) Send();
      if (stopped_) {
        ++report_.pending;
        break;
      }
      if (batch_.empty()) started = Clock::now();
      bytes_ += r.json.size();
      batch_.push_back(std::move(r));
      if (batch_.size() >= max_records_ || bytes_ >= max_bytes_) Send();
    }
    report_.pending += batch_.size();  // a batch cut short by a stop was never attempted
    batch_.clear();
    return stopped_;
  }

  void Stop(Status status) {
    if (report_.status.ok()) report_.status = std::move(status);
    stopped_ = true;
  }

 private:
  void Send() {
    if (stopped_ || batch_.empty()) return;
    std::vector<std::optional<std::string>> refused;
    Status s = WriteBatch(*job_.instance, batch_, refused);
    if (s.code() == StatusCode::kCancelled) {
      report_.pending += batch_.size();
      batch_.clear();
      bytes_ = 0;
      Stop(s);
      return;
    }
    DeliveryCommit commit;
    commit.connector = job_.spec->name;
    uint8_t stream = batch_.front().stream;
    if (job_.spec->delivery.snapshot) {
      // Snapshot connectors keep no position: every run sends everything.
    } else if (IsPositionStream(stream)) {
      commit.stream = kReceivable[stream];
      commit.position = batch_.back().position;
    } else {
      commit.digest_type = batch_.front().type;
      for (const OutRecord& r : batch_) commit.digests.emplace_back(r.key, r.digest);
    }
    auto dead_letter = [&](const OutRecord& r, std::string reason) {
      DeadLetter d;
      d.type = r.type;
      d.key = r.key;
      d.json = r.json;
      d.reason = std::move(reason);
      commit.add_dead_letters.push_back(std::move(d));
    };
    size_t n = batch_.size();
    if (s.ok()) {
      for (size_t i = 0; i < n; ++i) {
        if (refused[i]) dead_letter(batch_[i], std::move(*refused[i]));
      }
      uint64_t refused_count = commit.add_dead_letters.size();
      Status c = job_.store->CommitDelivery(commit);
      if (!c.ok()) {
        Stop(c);
        report_.pending += n;
      } else {
        report_.delivered += n - refused_count;
        report_.rejected += refused_count;
        ++report_.batches;
        failures_in_a_row_ = 0;
        if (job_.delivered_counter) *job_.delivered_counter += n - refused_count;
        if (refused_count > 0) {
          Log(LogLevel::kWarn, std::to_string(refused_count) + " of " + std::to_string(n) +
                                   " records refused by the destination, set aside in the "
                                   "dead-letter store (first: " +
                                   commit.add_dead_letters.front().key + ": " +
                                   commit.add_dead_letters.front().reason + ")");
        }
      }
    } else {
      for (const OutRecord& r : batch_) dead_letter(r, s.message());
      Status c = job_.store->CommitDelivery(commit);
      if (!c.ok()) {
        Stop(c);
        report_.pending += n;
      } else {
        report_.failed += n;
        ++failures_in_a_row_;
        Log(LogLevel::kWarn, "a batch of " + std::to_string(n) + " " + batch_.front().type +
                                 " records failed and went to the dead-letter store (" +
                                 "`journeykit replay` re-delivers it): " + s.message());
        if (report_.status.ok()) report_.status = s;
        uint32_t limit = std::max<uint32_t>(job_.spec->delivery.max_failed_batches, 1);
        if (failures_in_a_row_ >= limit) {
          stopped_ = true;
          report_.status = PluginError(job_.spec->name + ": stopped after " +
                                       std::to_string(failures_in_a_row_) +
                                       " failed batches in a row (the rest waits for the next "
                                       "run): " +
                                       s.message());
        }
      }
    }
    batch_.clear();
    bytes_ = 0;
  }

  void Log(LogLevel level, const std::string& message) const {
    if (job_.log) job_.log(level, job_.spec->name + ": " + message);
  }

  const DeliveryJob& job_;
  DeliveryReport& report_;
  std::vector<OutRecord> batch_;
  uint64_t bytes_ = 0;
  uint32_t max_records_ = 1;
  uint64_t max_bytes_ = 1;
  std::chrono::milliseconds max_wait_{0};
  uint32_t failures_in_a_row_ = 0;
  bool stopped_ = false;
};

Status CreateAndCheck(const DeliveryJob& job) {
  JK_RETURN_IF_ERROR(job.instance->Create(*job.config));
  return job.instance->Check();
}

}  // namespace

DeliveryReport Deliver(const DeliveryJob& job) {
  DeliveryReport report;
  report.name = job.spec->name;
  report.plugin = job.spec->plugin;
  auto started = std::chrono::steady_clock::now();
  Counters counters;
  Status ready = CreateAndCheck(job);
  RecordQueue queue(job.spec->delivery.queue_records);
  if (!ready.ok()) {
    // Nothing is attempted: count what waits, so the report says what the next run owes.
    queue.Close();
    Status produced = Produce(job, queue, counters);
    report.status = ready.WithContext(job.spec->name + " (" + job.spec->plugin +
                                      "): not delivered, everything waits for the next run");
    if (!produced.ok()) report.status = produced;
  } else {
    Status produced;
    std::thread producer([&] {
      produced = Produce(job, queue, counters);
      queue.Finish();
    });
    Sender sender(job, report);
    if (sender.Run(queue)) queue.Close();
    producer.join();
    if (!produced.ok() && report.status.ok()) report.status = produced;
    if (report.status.ok() || report.status.code() != StatusCode::kCancelled) {
      Status flushed = job.instance->Flush();
      if (!flushed.ok() && report.status.ok()) report.status = flushed;
    }
  }
  report.pending += counters.pending + queue.Discarded();
  report.skipped = counters.skipped;
  if (auto n = job.store->CountDeadLetters(job.spec->name); n.ok()) report.dead_letters = *n;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

DeliveryReport ReplayDeadLetters(const DeliveryJob& job, uint64_t limit) {
  DeliveryReport report;
  report.name = job.spec->name;
  report.plugin = job.spec->plugin;
  auto started = std::chrono::steady_clock::now();
  Status ready = CreateAndCheck(job);
  if (!ready.ok()) {
    report.status = ready.WithContext(job.spec->name + " (" + job.spec->plugin + ")");
  }
  const DeliverySettings& d = job.spec->delivery;
  uint64_t after = 0, done = 0;
  uint32_t failures_in_a_row = 0;
  while (ready.ok()) {
    if (job.cancelled->load()) {
      report.status = Cancelled(job.spec->name + ": replay stopped; the rest stays dead-lettered");
      break;
    }
    size_t want = std::max<uint32_t>(d.max_records, 1);
    if (limit > 0) want = static_cast<size_t>(std::min<uint64_t>(want, limit - done));
    if (want == 0) break;
    auto loaded = job.store->LoadDeadLetters(job.spec->name, after, want);
    if (!loaded.ok()) {
      report.status = loaded.status();
      break;
    }
    std::vector<DeadLetter>& letters = *loaded;
    if (letters.empty()) break;
    // One type per batch, and at most max_bytes of JSON (a single record always goes).
    size_t n = 1;
    uint64_t bytes = letters[0].json.size();
    while (n < letters.size() && letters[n].type == letters[0].type &&
           bytes + letters[n].json.size() <= d.max_bytes) {
      bytes += letters[n].json.size();
      ++n;
    }
    letters.resize(n);
    after = letters.back().id;
    done += n;
    std::vector<std::optional<std::string>> refused;
    Status s = WriteBatch(*job.instance, letters, refused);
    if (s.code() == StatusCode::kCancelled) {
      report.pending += n;
      report.status = s;
      break;
    }
    DeliveryCommit commit;
    commit.connector = job.spec->name;
    for (size_t i = 0; i < n; ++i) {
      if (s.ok() && !refused[i]) {
        commit.remove_dead_letters.push_back(letters[i].id);
        continue;
      }
      DeadLetter again = letters[i];
      again.reason = s.ok() ? *refused[i] : s.message();
      ++again.attempts;
      commit.update_dead_letters.push_back(std::move(again));
    }
    Status c = job.store->CommitDelivery(commit);
    if (!c.ok()) {
      report.status = c;
      break;
    }
    if (s.ok()) {
      report.delivered += commit.remove_dead_letters.size();
      report.rejected += commit.update_dead_letters.size();
      ++report.batches;
      failures_in_a_row = 0;
    } else {
      report.failed += n;
      if (report.status.ok()) report.status = s;
      if (++failures_in_a_row >= std::max<uint32_t>(d.max_failed_batches, 1)) break;
    }
  }
  if (ready.ok() && report.status.code() != StatusCode::kCancelled) {
    Status flushed = job.instance->Flush();
    if (!flushed.ok() && report.status.ok()) report.status = flushed;
  }
  if (auto n = job.store->CountDeadLetters(job.spec->name); n.ok()) report.dead_letters = *n;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace journeykit::internal
