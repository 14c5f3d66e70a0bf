package store

import "badges/presence"

// Save and Delete write one record, for the tests: badges writes through a
// presence.Directory, which batches.

func (s *Store) Save(r presence.Record) error {
	return first(s.Write([]presence.Write{{Record: r}}))
}

func (s *Store) Delete(jid string) error {
	return first(s.Write([]presence.Write{{Record: presence.Record{JID: jid}, Delete: true}}))
}

func first(errs []error) error {
	if errs == nil {
		return nil
	}
	return errs[0]
}
