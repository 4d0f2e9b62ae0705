DROP TABLE widgets;
DROP TABLE dashboards;
DROP TYPE widget_kind;
