// state_store.cpp — SQLite schema, transactions and the compact encoding of key-value lists.
#include <journeykit/state_store.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <iterator>
#include <mutex>

namespace journeykit {

namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -65536;
PRAGMA temp_store = MEMORY;
PRAGMA wal_autocheckpoint = 16384;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '1');
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  event_id TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  action TEXT NOT NULL,
  identities BLOB,
  hints BLOB,
  properties BLOB,
  text TEXT,
  currency TEXT,
  value REAL,
  rating REAL,
  sentiment REAL,
  UNIQUE (source, event_id)
);
CREATE TABLE IF NOT EXISTS cursors (
  source TEXT NOT NULL,
  stream TEXT NOT NULL,
  state TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (source, stream)
);
CREATE TABLE IF NOT EXISTS audience_members (
  audience TEXT NOT NULL,
  person_id TEXT NOT NULL,
  entered_at_us INTEGER NOT NULL,
  PRIMARY KEY (audience, person_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audience_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  audience TEXT NOT NULL,
  person_id TEXT NOT NULL,
  change TEXT NOT NULL CHECK (change IN ('entered', 'left')),
  as_of_us INTEGER NOT NULL,
  recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE IF NOT EXISTS email_addresses (
  sha256 TEXT PRIMARY KEY,
  email TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS delivery_positions (
  connector TEXT NOT NULL,
  stream TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (connector, stream)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS delivered_digests (
  connector TEXT NOT NULL,
  type TEXT NOT NULL,
  key TEXT NOT NULL,
  digest INTEGER NOT NULL,
  PRIMARY KEY (connector, type, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  connector TEXT NOT NULL,
  type TEXT NOT NULL,
  key TEXT NOT NULL,
  json TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1,
  failed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS dead_letters_by_connector ON dead_letters (connector, id);
)sql";

// Key-value lists are stored as a blob of varint-length-prefixed strings: k1 v1 k2 v2 ...
void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void EncodePairs(const KeyValues& kv, std::string& out) {
  out.clear();
  for (const auto& [k, v] : kv) {
    PutVarint(out, k.size());
    out += k;
    PutVarint(out, v.size());
    out += v;
  }
}

bool GetVarint(const unsigned char*& p, const unsigned char* end, uint64_t& v) {
  v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    unsigned char b = *p++;
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// Decodes into `out`, reusing its strings' capacity (the reload decodes millions of rows).
bool DecodePairs(const void* blob, int size, KeyValues& out) {
  auto p = static_cast<const unsigned char*>(blob);
  const unsigned char* end = p + size;
  size_t n = 0;
  while (p < end) {
    uint64_t klen = 0, vlen = 0;
    if (!GetVarint(p, end, klen) || static_cast<uint64_t>(end - p) < klen) return false;
    const auto* k = reinterpret_cast<const char*>(p);
    p += klen;
    if (!GetVarint(p, end, vlen) || static_cast<uint64_t>(end - p) < vlen) return false;
    const auto* v = reinterpret_cast<const char*>(p);
    p += vlen;
    if (n == out.size()) out.emplace_back();
    out[n].first.assign(k, klen);
    out[n].second.assign(v, vlen);
    ++n;
  }
  out.resize(n);
  return true;
}

void AssignText(sqlite3_stmt* st, int col, std::string& out) {
  auto p = sqlite3_column_text(st, col);
  if (p == nullptr) {
    out.clear();
  } else {
    out.assign(reinterpret_cast<const char*>(p),
               static_cast<size_t>(sqlite3_column_bytes(st, col)));
  }
}

std::string Text(sqlite3_stmt* st, int col) {
  auto p = sqlite3_column_text(st, col);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p),
                                    static_cast<size_t>(sqlite3_column_bytes(st, col)));
}

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

}  // namespace

struct StateStore::Impl {
  std::string path;
  sqlite3* db = nullptr;
  mutable std::mutex mutex;
  // The event INSERT, prepared on first use and reused by every Commit.
  sqlite3_stmt* insert_event = nullptr;
  // Encoding buffers reused across events and commits.
  std::string ids, hints, props;
  CommitObserver observer;
  std::vector<Inserted> inserted;  // of the current Commit, for the observer

  ~Impl() {
    sqlite3_finalize(insert_event);
    sqlite3_close(db);
  }

  Status Error(const std::string& what) const {
    return IoError("state store " + path + ": " + what + ": " + sqlite3_errmsg(db));
  }
  Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "unknown error";
      sqlite3_free(err);
      return IoError("state store " + path + ": " + message);
    }
    return Status::Ok();
  }
};

StateStore::StateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StateStore::~StateStore() = default;

const std::string& StateStore::path() const { return impl_->path; }

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK) {
    Status s = impl->Error("cannot open (check that the folder exists and is writable)");
    return s;
  }
  sqlite3_busy_timeout(impl->db, 10000);
  JK_RETURN_IF_ERROR(impl->Exec(kSchema));
  return std::unique_ptr<StateStore>(new StateStore(std::move(impl)));
}

Status StateStore::Reset() {
  std::lock_guard lock(impl_->mutex);
  return impl_->Exec(
      "BEGIN; DELETE FROM events; DELETE FROM cursors; "
      "DELETE FROM delivery_positions WHERE stream = 'events'; COMMIT;");
}

Result<std::optional<std::string>> StateStore::LoadCursor(std::string_view source,
                                                          std::string_view stream) {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db, "SELECT state FROM cursors WHERE source = ?1 AND stream = ?2");
  if (!st.ok()) return impl_->Error("reading a cursor");
  sqlite3_bind_text(st.get(), 1, source.data(), static_cast<int>(source.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(st.get(), 2, stream.data(), static_cast<int>(stream.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(st.get());
  if (rc == SQLITE_ROW) return std::optional<std::string>(Text(st.get(), 0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return impl_->Error("reading a cursor");
}

Result<CommitStats> StateStore::Commit(std::string_view source, std::string_view stream,
                                       std::span<const Event> events, const std::string* state) {
  std::lock_guard lock(impl_->mutex);
  JK_RETURN_IF_ERROR(impl_->Exec("BEGIN IMMEDIATE"));
  CommitStats stats;
  impl_->inserted.clear();
  auto fail = [&](const std::string& what) {
    Status s = impl_->Error(what);
    sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  };
  if (!events.empty()) {
    if (impl_->insert_event == nullptr &&
        sqlite3_prepare_v3(impl_->db,
                           "INSERT OR IGNORE INTO events (source, event_id, time_us, action, "
                           "identities, hints, properties, text, currency, value, rating, "
                           "sentiment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                           -1, SQLITE_PREPARE_PERSISTENT, &impl_->insert_event,
                           nullptr) != SQLITE_OK) {
      return fail("preparing the event insert");
    }
    sqlite3_stmt* s = impl_->insert_event;
    std::string& ids = impl_->ids;
    std::string& hints = impl_->hints;
    std::string& props = impl_->props;
    sqlite3_bind_text(s, 1, source.data(), static_cast<int>(source.size()), SQLITE_STATIC);
    for (const Event& e : events) {
      sqlite3_bind_text(s, 2, e.event_id.data(), static_cast<int>(e.event_id.size()),
                        SQLITE_STATIC);
      sqlite3_bind_int64(s, 3, e.time_us);
      sqlite3_bind_text(s, 4, e.action.data(), static_cast<int>(e.action.size()), SQLITE_STATIC);
      EncodePairs(e.identities, ids);
      EncodePairs(e.hints, hints);
      EncodePairs(e.properties, props);
      sqlite3_bind_blob(s, 5, ids.data(), static_cast<int>(ids.size()), SQLITE_STATIC);
      sqlite3_bind_blob(s, 6, hints.data(), static_cast<int>(hints.size()), SQLITE_STATIC);
      sqlite3_bind_blob(s, 7, props.data(), static_cast<int>(props.size()), SQLITE_STATIC);
      if (e.text.empty()) {
        sqlite3_bind_null(s, 8);
      } else {
        sqlite3_bind_text(s, 8, e.text.data(), static_cast<int>(e.text.size()), SQLITE_STATIC);
      }
      if (e.currency.empty()) {
        sqlite3_bind_null(s, 9);
      } else {
        sqlite3_bind_text(s, 9, e.currency.data(), static_cast<int>(e.currency.size()),
                          SQLITE_STATIC);
      }
      auto bind_opt = [s](int col, const std::optional<double>& v) {
        if (v) {
          sqlite3_bind_double(s, col, *v);
        } else {
          sqlite3_bind_null(s, col);
        }
      };
      bind_opt(10, e.value);
      bind_opt(11, e.rating);
      bind_opt(12, e.sentiment);
      if (sqlite3_step(s) != SQLITE_DONE) {
        Status status = fail("storing event '" + e.event_id + "'");
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return status;
      }
      sqlite3_reset(s);
      if (sqlite3_changes(impl_->db) > 0) {
        ++stats.inserted;
        if (impl_->observer) {
          impl_->inserted.push_back(
              Inserted{static_cast<uint32_t>(&e - events.data()),
                       static_cast<uint64_t>(sqlite3_last_insert_rowid(impl_->db))});
        }
      } else {
        ++stats.duplicates;
      }
    }
    sqlite3_clear_bindings(s);  // the bound strings belong to the caller
  }
  if (state != nullptr) {
    Statement st(impl_->db,
                 "INSERT INTO cursors (source, stream, state) VALUES (?1, ?2, ?3) "
                 "ON CONFLICT (source, stream) DO UPDATE SET state = excluded.state, "
                 "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
    if (!st.ok()) return fail("preparing the cursor update");
    sqlite3_bind_text(st.get(), 1, source.data(), static_cast<int>(source.size()), SQLITE_STATIC);
    sqlite3_bind_text(st.get(), 2, stream.data(), static_cast<int>(stream.size()), SQLITE_STATIC);
    sqlite3_bind_text(st.get(), 3, state->data(), static_cast<int>(state->size()), SQLITE_STATIC);
    if (sqlite3_step(st.get()) != SQLITE_DONE) return fail("storing the cursor");
  }
  if (sqlite3_exec(impl_->db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("committing");
  }
  if (impl_->observer && !impl_->inserted.empty()) impl_->observer(events, impl_->inserted);
  return stats;
}

void StateStore::SetCommitObserver(CommitObserver observer) {
  std::lock_guard lock(impl_->mutex);
  impl_->observer = std::move(observer);
}

namespace {

// Reads the rows of `st` (columns: seq, source, event_id, time_us, action, identities, hints,
// properties, text, currency, value, rating, sentiment) into events.
template <typename Fn>
Status ReadEventRows(sqlite3_stmt* s, const std::string& path, Fn&& fn) {
  Event e;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    auto seq = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
    AssignText(s, 1, e.source);
    AssignText(s, 2, e.event_id);
    e.time_us = sqlite3_column_int64(s, 3);
    AssignText(s, 4, e.action);
    bool ok = DecodePairs(sqlite3_column_blob(s, 5), sqlite3_column_bytes(s, 5), e.identities) &&
              DecodePairs(sqlite3_column_blob(s, 6), sqlite3_column_bytes(s, 6), e.hints) &&
              DecodePairs(sqlite3_column_blob(s, 7), sqlite3_column_bytes(s, 7), e.properties);
    if (!ok) {
      return IoError("state store " + path + ": event '" + e.event_id + "' of source '" + e.source +
                     "' is corrupt; rerun with --full-refresh");
    }
    AssignText(s, 8, e.text);
    AssignText(s, 9, e.currency);
    auto opt = [s](int col) -> std::optional<double> {
      if (sqlite3_column_type(s, col) == SQLITE_NULL) return std::nullopt;
      return sqlite3_column_double(s, col);
    };
    e.value = opt(10);
    e.rating = opt(11);
    e.sentiment = opt(12);
    fn(seq, e);
  }
  return rc == SQLITE_DONE ? Status::Ok() : Status(StatusCode::kIo, "");
}

constexpr const char* kEventColumns =
    "SELECT seq, source, event_id, time_us, action, identities, hints, properties, text, "
    "currency, value, rating, sentiment FROM events ";

}  // namespace

Status StateStore::ForEachEvent(const std::function<void(const Event&)>& fn) const {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db, (std::string(kEventColumns) + "ORDER BY seq").c_str());
  if (!st.ok()) return impl_->Error("reading events");
  Status s = ReadEventRows(st.get(), impl_->path, [&](uint64_t, const Event& e) { fn(e); });
  if (!s.ok() && s.message().empty()) return impl_->Error("reading events");
  return s;
}

Status StateStore::ForEachEventAfter(
    uint64_t after_seq, size_t limit,
    const std::function<void(uint64_t seq, const Event&)>& fn) const {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db,
               (std::string(kEventColumns) + "WHERE seq > ?1 ORDER BY seq LIMIT ?2").c_str());
  if (!st.ok()) return impl_->Error("reading events");
  sqlite3_bind_int64(st.get(), 1, static_cast<sqlite3_int64>(after_seq));
  sqlite3_bind_int64(st.get(), 2, static_cast<sqlite3_int64>(limit));
  Status s = ReadEventRows(st.get(), impl_->path, fn);
  if (!s.ok() && s.message().empty()) return impl_->Error("reading events");
  return s;
}

Result<uint64_t> StateStore::CountEventsUpTo(uint64_t seq) const {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db, "SELECT count(*) FROM events WHERE seq <= ?1");
  if (!st.ok()) return impl_->Error("counting events");
  sqlite3_bind_int64(st.get(), 1, static_cast<sqlite3_int64>(seq));
  if (sqlite3_step(st.get()) != SQLITE_ROW) return impl_->Error("counting events");
  return static_cast<uint64_t>(sqlite3_column_int64(st.get(), 0));
}

Result<uint64_t> StateStore::CountEvents() const {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db, "SELECT count(*) FROM events");
  if (!st.ok() || sqlite3_step(st.get()) != SQLITE_ROW) return impl_->Error("counting events");
  return static_cast<uint64_t>(sqlite3_column_int64(st.get(), 0));
}

Result<AudienceChanges> StateStore::UpdateAudience(std::string_view audience,
                                                   std::span<const std::string> members,
                                                   int64_t as_of_us) {
  if (audience.empty()) return InvalidArgument("UpdateAudience: empty audience id");
  std::vector<std::string> next(members.begin(), members.end());
  std::sort(next.begin(), next.end());
  next.erase(std::unique(next.begin(), next.end()), next.end());

  std::lock_guard lock(impl_->mutex);
  JK_RETURN_IF_ERROR(impl_->Exec("BEGIN IMMEDIATE"));
  const std::string what = "audience '" + std::string(audience) + "': ";
  auto fail = [&](const std::string& step) {
    Status s = impl_->Error(what + step);
    sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  };
  auto bind_text = [](sqlite3_stmt* st, int col, std::string_view v) {
    sqlite3_bind_text(st, col, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  };
  std::vector<std::string> current;
  {
    Statement st(impl_->db,
                 "SELECT person_id FROM audience_members WHERE audience = ?1 ORDER BY person_id");
    if (!st.ok()) return fail("reading the members");
    bind_text(st.get(), 1, audience);
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) current.push_back(Text(st.get(), 0));
    if (rc != SQLITE_DONE) return fail("reading the members");
  }
  AudienceChanges changes;
  changes.members = next.size();
  std::set_difference(next.begin(), next.end(), current.begin(), current.end(),
                      std::back_inserter(changes.entered));
  std::set_difference(current.begin(), current.end(), next.begin(), next.end(),
                      std::back_inserter(changes.left));
  {
    Statement del(impl_->db, "DELETE FROM audience_members WHERE audience = ?1 AND person_id = ?2");
    Statement ins(impl_->db,
                  "INSERT INTO audience_members (audience, person_id, entered_at_us) "
                  "VALUES (?1, ?2, ?3)");
    Statement log(impl_->db,
                  "INSERT INTO audience_changes (audience, person_id, change, as_of_us) "
                  "VALUES (?1, ?2, ?3, ?4)");
    if (!del.ok() || !ins.ok() || !log.ok()) return fail("preparing the update");
    auto append_log = [&](const std::string& person, const char* change) {
      sqlite3_stmt* s = log.get();
      sqlite3_reset(s);
      bind_text(s, 1, audience);
      bind_text(s, 2, person);
      sqlite3_bind_text(s, 3, change, -1, SQLITE_STATIC);
      sqlite3_bind_int64(s, 4, as_of_us);
      if (sqlite3_step(s) != SQLITE_DONE) return false;
      auto seq = static_cast<uint64_t>(sqlite3_last_insert_rowid(impl_->db));
      if (changes.first_seq == 0) changes.first_seq = seq;
      changes.last_seq = seq;
      return true;
    };
    for (const std::string& person : changes.entered) {
      sqlite3_stmt* s = ins.get();
      sqlite3_reset(s);
      bind_text(s, 1, audience);
      bind_text(s, 2, person);
      sqlite3_bind_int64(s, 3, as_of_us);
      if (sqlite3_step(s) != SQLITE_DONE) return fail("adding member '" + person + "'");
      if (!append_log(person, "entered")) return fail("logging a change");
    }
    for (const std::string& person : changes.left) {
      sqlite3_stmt* s = del.get();
      sqlite3_reset(s);
      bind_text(s, 1, audience);
      bind_text(s, 2, person);
      if (sqlite3_step(s) != SQLITE_DONE) return fail("removing member '" + person + "'");
      if (!append_log(person, "left")) return fail("logging a change");
    }
  }
  if (sqlite3_exec(impl_->db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("committing");
  }
  return changes;
}

Result<std::vector<AudienceMember>> StateStore::LoadAudience(std::string_view audience) const {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db,
               "SELECT person_id, entered_at_us FROM audience_members WHERE audience = ?1 "
               "ORDER BY person_id");
  if (!st.ok()) return impl_->Error("reading audience '" + std::string(audience) + "'");
  sqlite3_bind_text(st.get(), 1, audience.data(), static_cast<int>(audience.size()),
                    SQLITE_TRANSIENT);
  std::vector<AudienceMember> out;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    out.push_back({Text(st.get(), 0), sqlite3_column_int64(st.get(), 1)});
  }
  if (rc != SQLITE_DONE) return impl_->Error("reading audience '" + std::string(audience) + "'");
  return out;
}

Result<std::vector<AudienceChange>> StateStore::AudienceChangesSince(uint64_t after_seq,
                                                                     size_t limit) const {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db,
               "SELECT seq, audience, person_id, change, as_of_us FROM audience_changes "
               "WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  if (!st.ok()) return impl_->Error("reading audience changes");
  sqlite3_bind_int64(st.get(), 1, static_cast<sqlite3_int64>(after_seq));
  sqlite3_bind_int64(st.get(), 2, static_cast<sqlite3_int64>(limit));
  std::vector<AudienceChange> out;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    sqlite3_stmt* s = st.get();
    out.push_back({static_cast<uint64_t>(sqlite3_column_int64(s, 0)), Text(s, 1), Text(s, 2),
                   Text(s, 3) == "entered", sqlite3_column_int64(s, 4)});
  }
  if (rc != SQLITE_DONE) return impl_->Error("reading audience changes");
  return out;
}

// ---- e-mail address book ------------------------------------------------------------------

Status StateStore::RememberEmailAddresses(
    std::span<const std::pair<std::string, std::string>> addresses) {
  std::lock_guard lock(impl_->mutex);
  JK_RETURN_IF_ERROR(impl_->Exec("BEGIN IMMEDIATE"));
  Statement st(impl_->db, "INSERT OR IGNORE INTO email_addresses (sha256, email) VALUES (?1, ?2)");
  bool ok = st.ok();
  for (size_t i = 0; ok && i < addresses.size(); ++i) {
    sqlite3_reset(st.get());
    const auto& [hash, email] = addresses[i];
    sqlite3_bind_text(st.get(), 1, hash.data(), static_cast<int>(hash.size()), SQLITE_STATIC);
    sqlite3_bind_text(st.get(), 2, email.data(), static_cast<int>(email.size()), SQLITE_STATIC);
    ok = sqlite3_step(st.get()) == SQLITE_DONE;
  }
  if (!ok || sqlite3_exec(impl_->db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Status s = impl_->Error("storing e-mail addresses");
    sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  }
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, std::string>>> StateStore::LoadEmailAddresses() const {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db, "SELECT sha256, email FROM email_addresses");
  if (!st.ok()) return impl_->Error("reading e-mail addresses");
  std::vector<std::pair<std::string, std::string>> out;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    out.emplace_back(Text(st.get(), 0), Text(st.get(), 1));
  }
  if (rc != SQLITE_DONE) return impl_->Error("reading e-mail addresses");
  return out;
}

// ---- delivery ------------------------------------------------------------------------------

Result<uint64_t> StateStore::LoadDeliveryPosition(std::string_view connector,
                                                  std::string_view stream) const {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db,
               "SELECT position FROM delivery_positions WHERE connector = ?1 AND stream = ?2");
  if (!st.ok()) return impl_->Error("reading a delivery position");
  sqlite3_bind_text(st.get(), 1, connector.data(), static_cast<int>(connector.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_text(st.get(), 2, stream.data(), static_cast<int>(stream.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(st.get());
  if (rc == SQLITE_ROW) return static_cast<uint64_t>(sqlite3_column_int64(st.get(), 0));
  if (rc != SQLITE_DONE) return impl_->Error("reading a delivery position");
  return uint64_t{0};
}

Result<std::vector<std::pair<std::string, uint64_t>>> StateStore::LoadDeliveredDigests(
    std::string_view connector, std::string_view type) const {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db,
               "SELECT key, digest FROM delivered_digests WHERE connector = ?1 AND type = ?2");
  if (!st.ok()) return impl_->Error("reading delivered records");
  sqlite3_bind_text(st.get(), 1, connector.data(), static_cast<int>(connector.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_text(st.get(), 2, type.data(), static_cast<int>(type.size()), SQLITE_TRANSIENT);
  std::vector<std::pair<std::string, uint64_t>> out;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    out.emplace_back(Text(st.get(), 0), static_cast<uint64_t>(sqlite3_column_int64(st.get(), 1)));
  }
  if (rc != SQLITE_DONE) return impl_->Error("reading delivered records");
  return out;
}

Status StateStore::CommitDelivery(const DeliveryCommit& c) {
  std::lock_guard lock(impl_->mutex);
  JK_RETURN_IF_ERROR(impl_->Exec("BEGIN IMMEDIATE"));
  auto fail = [&](const std::string& step) {
    Status s = impl_->Error("connector '" + c.connector + "': " + step);
    sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  };
  auto text = [](sqlite3_stmt* st, int col, std::string_view v) {
    sqlite3_bind_text(st, col, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  };
  if (c.position) {
    Statement st(impl_->db,
                 "INSERT INTO delivery_positions (connector, stream, position) VALUES (?1, ?2, ?3) "
                 "ON CONFLICT (connector, stream) DO UPDATE SET position = excluded.position");
    if (!st.ok()) return fail("preparing the position update");
    text(st.get(), 1, c.connector);
    text(st.get(), 2, c.stream);
    sqlite3_bind_int64(st.get(), 3, static_cast<sqlite3_int64>(*c.position));
    if (sqlite3_step(st.get()) != SQLITE_DONE) return fail("storing the position");
  }
  if (!c.digests.empty()) {
    Statement st(impl_->db,
                 "INSERT INTO delivered_digests (connector, type, key, digest) "
                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (connector, type, key) "
                 "DO UPDATE SET digest = excluded.digest");
    if (!st.ok()) return fail("preparing the delivered-record update");
    for (const auto& [key, digest] : c.digests) {
      sqlite3_reset(st.get());
      text(st.get(), 1, c.connector);
      text(st.get(), 2, c.digest_type);
      text(st.get(), 3, key);
      sqlite3_bind_int64(st.get(), 4, static_cast<sqlite3_int64>(digest));
      if (sqlite3_step(st.get()) != SQLITE_DONE) return fail("storing a delivered record");
    }
  }
  if (!c.add_dead_letters.empty()) {
    Statement st(impl_->db,
                 "INSERT INTO dead_letters (connector, type, key, json, reason, attempts) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st.ok()) return fail("preparing the dead-letter insert");
    for (const DeadLetter& d : c.add_dead_letters) {
      sqlite3_reset(st.get());
      text(st.get(), 1, c.connector);
      text(st.get(), 2, d.type);
      text(st.get(), 3, d.key);
      text(st.get(), 4, d.json);
      text(st.get(), 5, d.reason);
      sqlite3_bind_int64(st.get(), 6, d.attempts);
      if (sqlite3_step(st.get()) != SQLITE_DONE) return fail("storing a dead letter");
    }
  }
  if (!c.remove_dead_letters.empty()) {
    Statement st(impl_->db, "DELETE FROM dead_letters WHERE id = ?1");
    if (!st.ok()) return fail("preparing the dead-letter delete");
    for (uint64_t id : c.remove_dead_letters) {
      sqlite3_reset(st.get());
      sqlite3_bind_int64(st.get(), 1, static_cast<sqlite3_int64>(id));
      if (sqlite3_step(st.get()) != SQLITE_DONE) return fail("removing a dead letter");
    }
  }
  if (!c.update_dead_letters.empty()) {
    Statement st(impl_->db,
                 "UPDATE dead_letters SET reason = ?2, attempts = ?3, "
                 "failed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1");
    if (!st.ok()) return fail("preparing the dead-letter update");
    for (const DeadLetter& d : c.update_dead_letters) {
      sqlite3_reset(st.get());
      sqlite3_bind_int64(st.get(), 1, static_cast<sqlite3_int64>(d.id));
      text(st.get(), 2, d.reason);
      sqlite3_bind_int64(st.get(), 3, d.attempts);
      if (sqlite3_step(st.get()) != SQLITE_DONE) return fail("updating a dead letter");
    }
  }
  if (sqlite3_exec(impl_->db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("committing");
  }
  return Status::Ok();
}

Result<std::vector<DeadLetter>> StateStore::LoadDeadLetters(std::string_view connector,
                                                            uint64_t after_id, size_t limit) const {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db,
               "SELECT id, connector, type, key, json, reason, attempts, failed_at "
               "FROM dead_letters WHERE id > ?1 AND (?2 = '' OR connector = ?2) "
               "ORDER BY id LIMIT ?3");
  if (!st.ok()) return impl_->Error("reading dead letters");
  sqlite3_bind_int64(st.get(), 1, static_cast<sqlite3_int64>(after_id));
  sqlite3_bind_text(st.get(), 2, connector.data(), static_cast<int>(connector.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.get(), 3, static_cast<sqlite3_int64>(limit));
  std::vector<DeadLetter> out;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    sqlite3_stmt* s = st.get();
    DeadLetter d;
    d.id = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
    d.connector = Text(s, 1);
    d.type = Text(s, 2);
    d.key = Text(s, 3);
    d.json = Text(s, 4);
    d.reason = Text(s, 5);
    d.attempts = static_cast<uint32_t>(sqlite3_column_int64(s, 6));
    d.failed_at = Text(s, 7);
    out.push_back(std::move(d));
  }
  if (rc != SQLITE_DONE) return impl_->Error("reading dead letters");
  return out;
}

Result<uint64_t> StateStore::CountDeadLetters(std::string_view connector) const {
  std::lock_guard lock(impl_->mutex);
  Statement st(impl_->db, "SELECT count(*) FROM dead_letters WHERE ?1 = '' OR connector = ?1");
  if (!st.ok()) return impl_->Error("counting dead letters");
  sqlite3_bind_text(st.get(), 1, connector.data(), static_cast<int>(connector.size()),
                    SQLITE_TRANSIENT);
  if (sqlite3_step(st.get()) != SQLITE_ROW) return impl_->Error("counting dead letters");
  return static_cast<uint64_t>(sqlite3_column_int64(st.get(), 0));
}

}  // namespace journeykit
