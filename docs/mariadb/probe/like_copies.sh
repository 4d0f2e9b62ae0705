#!/bin/bash
# Section 6: what CREATE TABLE ... LIKE carries over (FULLTEXT, CHECK, partitioning yes; FOREIGN KEY no).
M="mariadb -uroot -h127.0.0.1"
$M -e "DROP DATABASE IF EXISTS research_like; CREATE DATABASE research_like"
$M research_like <<'SQL'
CREATE TABLE p (id INT PRIMARY KEY) ENGINE=InnoDB;
CREATE TABLE t2 (id INT PRIMARY KEY, pid INT, body TEXT, a INT, KEY (pid), FULLTEXT KEY ft (body),
  CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id), CONSTRAINT ck CHECK (a > 0)) ENGINE=InnoDB;
CREATE TABLE probe2 LIKE t2;
SHOW CREATE TABLE probe2\G
CREATE TABLE t3 (id INT PRIMARY KEY, a INT, CONSTRAINT ck3 CHECK (a > 0)) ENGINE=InnoDB PARTITION BY HASH (id) PARTITIONS 2;
CREATE TABLE probe3 LIKE t3;
SHOW CREATE TABLE probe3\G
SQL
$M -e "DROP DATABASE research_like"
