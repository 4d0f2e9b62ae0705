DROP TRIGGER flag_states_audit ON flag_states;
DROP FUNCTION flag_states_audit();
DROP TABLE flag_audit;
