DROP TABLE flag_states;
DROP TABLE flags;
DROP TYPE flag_kind;
