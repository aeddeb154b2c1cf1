// Package simulator is an in-memory implementation of the COC mobile-app API contract
// (docs/api-contract.md), used by the acceptance tests, the demo and anyone without a cloud
// account. It verifies SDK-HMAC-SHA256 signatures, keeps one state per tenant (access key),
// and exposes an unsigned admin API under /_sim/ to inspect state and inject faults.
package simulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// Tenant is an account whose requests are signed with its access key.
type Tenant struct {
	AccessKey string `json:"access_key"`
	SecretKey string `json:"secret_key"`
	DomainID  string `json:"domain_id"`
	// SecurityToken, when set, makes the key pair temporary: requests must carry this token.
	SecurityToken string `json:"security_token,omitempty"`
}

// Option configures a Simulator.
type Option func(*Simulator)

// WithClock replaces the wall clock (timestamps and signature freshness).
func WithClock(now func() time.Time) Option { return func(s *Simulator) { s.now = now } }

// WithSeed makes fault injection reproducible.
func WithSeed(seed uint64) Option {
	return func(s *Simulator) { s.rng = rand.New(rand.NewPCG(seed, seed)) } //nolint:gosec // fault dice need no cryptographic randomness
}

// MaxClockSkew is how far X-Sdk-Date may be from the simulator's clock, as on the real gateway.
const MaxClockSkew = 15 * time.Minute

const maxRequestBytes = 64 << 10

// Simulator implements http.Handler. It is safe for concurrent use.
type Simulator struct {
	mu       sync.Mutex
	tenants  map[string]*tenant // by access key
	requests []RequestRecord
	faults   []*faultRule
	limiter  *rateLimit
	now      func() time.Time
	rng      *rand.Rand
	nextID   uint64
	mux      *http.ServeMux
}

type tenant struct {
	Tenant
	bindings map[coc.AppType]*storedBinding
	bucket   bucket
}

type storedBinding struct {
	binding coc.Binding
	// fingerprints holds SHA-256 of each secret: enough to prove what a client sent, without
	// the simulator ever being able to reveal it.
	fingerprints map[string]string
}

// New builds a simulator serving the given tenants.
func New(tenants []Tenant, opts ...Option) *Simulator {
	s := &Simulator{
		tenants: map[string]*tenant{},
		now:     time.Now,
		rng:     rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())), //nolint:gosec // see WithSeed
	}
	for _, o := range opts {
		o(s)
	}
	for _, t := range tenants {
		s.AddTenant(t)
	}
	s.mux = http.NewServeMux()
	s.routeAPI()
	s.routeAdmin()
	return s
}

// AddTenant adds (or replaces the keys of) a tenant.
func (s *Simulator) AddTenant(t Tenant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if existing, ok := s.tenants[t.AccessKey]; ok {
		existing.Tenant = t
		return
	}
	s.tenants[t.AccessKey] = &tenant{Tenant: t, bindings: map[coc.AppType]*storedBinding{}}
}

// Reset removes every binding, request record, fault rule and rate limit; tenants stay.
func (s *Simulator) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tenants {
		t.bindings = map[coc.AppType]*storedBinding{}
	}
	s.requests = nil
	s.faults = nil
	s.limiter = nil
}

func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

func (s *Simulator) routeAPI() {
	s.mux.HandleFunc("GET "+coc.MobileAppsPath, s.api(s.list))
	s.mux.HandleFunc("GET "+coc.MobileAppsPath+"/{app_type}", s.api(s.get))
	s.mux.HandleFunc("POST "+coc.MobileAppsPath+"/{app_type}", s.api(s.create))
	s.mux.HandleFunc("PUT "+coc.MobileAppsPath+"/{app_type}", s.api(s.update))
	s.mux.HandleFunc("DELETE "+coc.MobileAppsPath+"/{app_type}", s.api(s.remove))
	s.mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		s.record(r, "", http.StatusNotFound, "")
		writeError(w, r, http.StatusNotFound, coc.CodeNoSuchAPI, "no such API: "+r.Method+" "+r.URL.Path, nil)
	})
}

// call is an authenticated API request.
type call struct {
	r      *http.Request
	tenant *tenant
	body   []byte
}

// apiHandler handles an authenticated call with the state lock held and returns the status and
// the response data (or an *apiError).
type apiHandler func(c call) (int, any)

type apiError struct {
	status  int
	code    string
	msg     string
	details []coc.FieldError
	// retryAfter is sent, when positive, as Retry-After (whole seconds, rounded up) and as
	// Retry-After-Ms (milliseconds, rounded up).
	retryAfter time.Duration
}

// api wraps a handler with what every contract call shares: faults, request id, size cap,
// signature check, rate limit, locking and the request log.
func (s *Simulator) api(h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(coc.HeaderRequestID, s.requestID())
		// The body is read first: Go's HTTP server notices a client that hangs up only once the
		// body is consumed, and a held request must end when its client gives up.
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
		fault := s.pickFault(r)
		// The log entry is written before the answer leaves, so that it precedes whatever the
		// client does next (a retry, a read-back) in the request log.
		if fault != nil && !fault.before(w, r, body, func() { s.record(r, accessKeyOf(r), fault.loggedStatus(), fault.describe()) }) {
			return
		}
		if err != nil || len(body) > maxRequestBytes {
			s.record(r, accessKeyOf(r), http.StatusRequestEntityTooLarge, "")
			writeError(w, r, http.StatusRequestEntityTooLarge, coc.CodeInvalidField, "the request body is unreadable or exceeds 64 KiB", nil)
			return
		}

		s.mu.Lock()
		t, authErr := s.authenticate(r, body)
		if authErr == nil {
			authErr = s.throttle(t)
		}
		var status int
		var data any
		if authErr != nil {
			status, data = authErr.status, authErr
		} else {
			status, data = h(call{r: r, tenant: t, body: body})
		}
		s.mu.Unlock()

		if fault != nil && !fault.after(w, r, status, data, func(status int) { s.record(r, accessKeyOf(r), status, fault.describe()) }) {
			return
		}
		if e, ok := data.(*apiError); ok {
			s.record(r, accessKeyOf(r), e.status, "")
			if e.retryAfter > 0 {
				w.Header().Set(coc.HeaderRetryAfter, strconv.FormatInt(ceilUnits(e.retryAfter, time.Second), 10))
				w.Header().Set(coc.HeaderRetryAfterMs, strconv.FormatInt(ceilUnits(e.retryAfter, time.Millisecond), 10))
			}
			writeError(w, r, e.status, e.code, e.msg, e.details)
			return
		}
		s.record(r, accessKeyOf(r), status, "")
		if data == nil {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, data)
	}
}

// ceilUnits counts d in units, rounding up: a client told to wait must not come back early.
func ceilUnits(d, unit time.Duration) int64 {
	return int64((d + unit - 1) / unit)
}

func (s *Simulator) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return "sim-" + strconv.FormatUint(s.nextID, 10)
}

func platformOf(r *http.Request) (coc.Platform, *apiError) {
	p, err := coc.PlatformFor(coc.AppType(r.PathValue("app_type")))
	if err != nil {
		return p, invalid(coc.FieldError{Field: "app_type", Reason: err.Error()})
	}
	return p, nil
}

func invalid(details ...coc.FieldError) *apiError {
	return &apiError{status: http.StatusBadRequest, code: coc.CodeInvalidField, msg: "invalid request parameters", details: details}
}

func notBound(p coc.Platform) *apiError {
	return &apiError{status: http.StatusNotFound, code: coc.CodeNotBound, msg: "no " + string(p.AppType) + " app is bound to this tenant"}
}

func (s *Simulator) list(c call) (int, any) {
	q := c.r.URL.Query()
	limit, offset := coc.DefaultPageLimit, 0
	var problems []coc.FieldError
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > coc.MaxPageLimit {
			problems = append(problems, coc.FieldError{Field: "limit", Reason: "must be an integer from 1 to " + strconv.Itoa(coc.MaxPageLimit)})
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			problems = append(problems, coc.FieldError{Field: "offset", Reason: "must be a non-negative integer"})
		}
		offset = n
	}
	filter := coc.AppType(q.Get("app_type"))
	if filter != "" {
		if _, err := coc.PlatformFor(filter); err != nil {
			problems = append(problems, coc.FieldError{Field: "app_type", Reason: err.Error()})
		}
	}
	if problems != nil {
		return http.StatusBadRequest, invalid(problems...)
	}
	all := []coc.Binding{}
	for _, p := range coc.Platforms() {
		if sb, ok := c.tenant.bindings[p.AppType]; ok && (filter == "" || filter == p.AppType) {
			all = append(all, sb.binding)
		}
	}
	page := coc.BindingList{Total: len(all), List: []coc.Binding{}}
	if offset < len(all) {
		page.List = all[offset:min(offset+limit, len(all))]
	}
	return http.StatusOK, coc.Success(page)
}

func (s *Simulator) get(c call) (int, any) {
	p, err := platformOf(c.r)
	if err != nil {
		return err.status, err
	}
	sb, ok := c.tenant.bindings[p.AppType]
	if !ok {
		return http.StatusNotFound, notBound(p)
	}
	return http.StatusOK, coc.Success(sb.binding)
}

func (s *Simulator) create(c call) (int, any) {
	p, err := platformOf(c.r)
	if err != nil {
		return err.status, err
	}
	req, problems := coc.DecodeBindingRequest(p, coc.Create, c.body)
	if problems != nil {
		return http.StatusBadRequest, invalid(problems...)
	}
	if sb, ok := c.tenant.bindings[p.AppType]; ok {
		return http.StatusConflict, &apiError{
			status: http.StatusConflict, code: coc.CodeAlreadyBound,
			msg: "a " + string(p.AppType) + " app is already bound to this tenant: " + p.Identifier + " " + sb.binding.Fields[p.Identifier],
		}
	}
	return http.StatusCreated, coc.Success(s.store(c.tenant, p, req).binding)
}

func (s *Simulator) update(c call) (int, any) {
	p, err := platformOf(c.r)
	if err != nil {
		return err.status, err
	}
	req, problems := coc.DecodeBindingRequest(p, coc.Update, c.body)
	if problems != nil {
		return http.StatusBadRequest, invalid(problems...)
	}
	sb, ok := c.tenant.bindings[p.AppType]
	if !ok {
		return http.StatusNotFound, notBound(p)
	}
	if bound := sb.binding.Fields[p.Identifier]; req.Fields[p.Identifier] != bound {
		return http.StatusBadRequest, &apiError{
			status: http.StatusBadRequest, code: coc.CodeImmutableField,
			msg:     p.Identifier + " cannot be changed; the bound app is " + bound,
			details: []coc.FieldError{{Field: p.Identifier, Reason: "cannot be changed"}},
		}
	}
	return http.StatusOK, coc.Success(s.store(c.tenant, p, req).binding)
}

func (s *Simulator) remove(c call) (int, any) {
	p, err := platformOf(c.r)
	if err != nil {
		return err.status, err
	}
	if _, ok := c.tenant.bindings[p.AppType]; !ok {
		return http.StatusNotFound, notBound(p)
	}
	delete(c.tenant.bindings, p.AppType)
	return http.StatusNoContent, nil
}

// store creates or updates a binding from a validated request, as both the API and the admin
// "console" do. Secrets in req replace the stored ones and move key_updated_at.
func (s *Simulator) store(t *tenant, p coc.Platform, req coc.BindingRequest) *storedBinding {
	now := s.now().UTC().Truncate(time.Millisecond)
	sb, ok := t.bindings[p.AppType]
	if !ok {
		sb = &storedBinding{
			binding:      coc.Binding{AppType: p.AppType, Status: coc.StatusEnabled, CreatedAt: now, KeyUpdatedAt: now},
			fingerprints: map[string]string{},
		}
		t.bindings[p.AppType] = sb
	}
	// Timestamps strictly increase, so two changes within one millisecond still read as two.
	now = later(now, sb.binding.UpdatedAt)
	sb.binding.Fields = maps.Clone(req.Fields)
	sb.binding.UpdatedAt = now
	if len(req.Secrets) > 0 && ok {
		sb.binding.KeyUpdatedAt = later(now, sb.binding.KeyUpdatedAt)
	}
	for name, v := range req.Secrets {
		sb.fingerprints[name] = Fingerprint(v)
	}
	return sb
}

func later(now, previous time.Time) time.Time {
	if !now.After(previous) {
		return previous.Add(time.Millisecond)
	}
	return now
}

// Fingerprint is how the simulator remembers a secret: hex SHA-256 of its value.
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, _ *http.Request, status int, code, msg string, details []coc.FieldError) {
	writeJSON(w, status, coc.ErrorBody{ErrorCode: code, ErrorMsg: msg, Details: details})
}

// RequestRecord is one entry of the request log.
type RequestRecord struct {
	Time      time.Time `json:"time"`
	AccessKey string    `json:"access_key,omitempty"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Query     string    `json:"query,omitempty"`
	// Status is 0 when the connection was dropped.
	Status int    `json:"status"`
	Fault  string `json:"fault,omitempty"`
}

// IsWrite reports whether the request could change state.
func (r RequestRecord) IsWrite() bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead
}

func (s *Simulator) record(r *http.Request, accessKey string, status int, fault string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, RequestRecord{
		Time: s.now().UTC(), AccessKey: accessKey, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status, Fault: fault,
	})
}

// Requests returns a copy of the request log of the contract API (admin calls are not logged).
func (s *Simulator) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ClearRequests empties the request log.
func (s *Simulator) ClearRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}
