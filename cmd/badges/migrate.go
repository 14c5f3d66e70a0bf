package main

import (
	"errors"
	"fmt"
	"io"

	"badges/cluster"
	"badges/presence"
	"badges/store"
)

// migrate copies the embedded store of -data into the Redis of -redis, for
// a single server that becomes replicas (docs/API.md#storage-and-scale). A
// JID that Redis holds already is left as it is, so running it twice
// changes nothing.
func migrate(cfg Config, out io.Writer) error {
	if cfg.Redis == "" {
		return usageError{errors.New("redis: required to migrate (flag -redis, BADGES_REDIS or BADGES_REDIS_FILE)")}
	}
	if len(cfg.Args) > 0 {
		return usageError{fmt.Errorf("migrate takes no arguments, got %q", cfg.Args)}
	}
	st, err := store.Open(cfg.Data)
	if err != nil {
		return err
	}
	defer st.Close()
	recs, err := st.Records()
	if err != nil {
		return err
	}
	rdb, err := cluster.Connect(cfg.Redis)
	if err != nil {
		return usageError{err}
	}
	defer rdb.Close()
	dir, err := presence.NewDirectory(presence.NewMemHub(), cluster.NewStore(rdb),
		presence.DirectoryOptions{StaleAfter: cfg.StaleAfter, ShowMessages: cfg.ShowMessages})
	if err != nil {
		return err
	}
	defer dir.Close()
	added := 0
	for _, r := range recs {
		ok, err := dir.Import(r)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if ok {
			added++
		}
	}
	_, err = fmt.Fprintf(out, "migrate: %d records in %s, %d copied into redis, %d there already\n",
		len(recs), cfg.Data, added, len(recs)-added)
	return err
}
