// Command coc-simulator serves the COC mobile-app API simulator on a local address.
//
//	go run ./internal/simulator/cmd/coc-simulator -listen 127.0.0.1:18080 [-seed word | -tenants tenants.json]
//
// Without a tenants file it creates one demo tenant and prints its keys as shell exports: new
// keys on every start, or with -seed the same keys on every start with the same word, so that a
// shell holding them keeps working across restarts. A tenants file is a list of tenants, or an object that also declares IAM and the metadata
// service:
//
//	{"tenants": [{"access_key", "secret_key", "domain_id", "security_token", "expires_at"}],
//	 "agencies": [{"name", "domain_id", "domain_name", "trusted_domain_id"}],
//	 "identity_providers": [{"id", "domain_id", "id_tokens"}],
//	 "metadata_domain_id": "...",
//	 "platform_apps": [{"app_type", "app_id", "secrets", "wecom" | "dingtalk" | "lark"}]}
//
// Tenants that share a domain_id share that account's bindings. A platform app's optional
// object says what its platform's read-only calls report (internal/simulator/README.md).
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "coc-simulator:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:18080", "address to listen on (port 0 picks a free port)")
	tenantsFile := flag.String("tenants", "", `JSON file with a list of {"access_key","secret_key","domain_id"}, or {"tenants": [...], "agencies": [...], ...}`)
	seed := flag.String("seed", "", "derive the demo tenant's keys from this word: the same keys on every start (without it, new ones)")
	flag.Parse()

	var w world
	var err error
	switch {
	case *tenantsFile != "" && *seed != "":
		return errors.New("-seed makes the demo tenant's keys, -tenants declares the tenants: use one of them")
	case *tenantsFile != "":
		w, err = loadWorld(*tenantsFile)
	default:
		w = demoWorld(*seed)
	}
	if err != nil {
		return err
	}
	sim, err := w.simulator()
	if err != nil {
		return fmt.Errorf("%s: %w", *tenantsFile, err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	if *tenantsFile == "" {
		t := w.Tenants[0]
		fmt.Printf("demo tenant:\nexport HW_ACCESS_KEY=%s\nexport HW_SECRET_KEY=%s\nexport HW_DOMAIN_ID=%s\nexport HW_COC_ENDPOINT=http://%s\n",
			t.AccessKey, t.SecretKey, t.DomainID, ln.Addr())
	}
	server := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if err := server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// world is what a tenants file declares.
type world struct {
	Tenants           []simulator.Tenant           `json:"tenants"`
	Agencies          []simulator.Agency           `json:"agencies"`
	IdentityProviders []simulator.IdentityProvider `json:"identity_providers"`
	MetadataDomainID  string                       `json:"metadata_domain_id"`
	PlatformApps      []simulator.AppCredentials   `json:"platform_apps"`
}

// demoWorld is one demo tenant, with random keys or, given a seed, keys derived from it.
func demoWorld(seed string) world {
	key := func(name string, n int) string {
		if seed == "" {
			b := make([]byte, n)
			_, _ = rand.Read(b)
			return fmt.Sprintf("%X", b)
		}
		sum := sha256.Sum256([]byte("coc-simulator demo tenant " + name + " " + seed))
		return fmt.Sprintf("%X", sum[:n])
	}
	return world{Tenants: []simulator.Tenant{{AccessKey: "DEMO" + key("access key", 8), SecretKey: key("secret key", 20), DomainID: key("domain", 16)}}}
}

// loadWorld reads a tenants file.
func loadWorld(path string) (world, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return world{}, err
	}
	var w world
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
		err = dec.Decode(&w.Tenants)
	} else {
		err = dec.Decode(&w)
	}
	if err != nil {
		return world{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(w.Tenants) == 0 {
		return world{}, fmt.Errorf("%s: no tenants", path)
	}
	for i, t := range w.Tenants {
		if err := t.Validate(); err != nil {
			return world{}, fmt.Errorf("%s: tenant %d: %w", path, i, err)
		}
	}
	return w, nil
}

// simulator builds a simulator serving the world.
func (w world) simulator() (*simulator.Simulator, error) {
	sim := simulator.New(w.Tenants)
	for _, a := range w.Agencies {
		if err := sim.DeclareAgency(a); err != nil {
			return nil, err
		}
	}
	for _, p := range w.IdentityProviders {
		if err := sim.DeclareIdentityProvider(p); err != nil {
			return nil, err
		}
	}
	sim.SetMetadataAccount(w.MetadataDomainID)
	for _, a := range w.PlatformApps {
		if err := sim.AcceptAppCredentials(a); err != nil {
			return nil, err
		}
	}
	return sim, nil
}
