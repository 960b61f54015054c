namespace Grocery.Workflows.Persistence.Migrations.PostgreSql;

/// <summary>
/// The tables of Quartz.NET 4.7's ADO job store on PostgreSQL (clustered scheduling of the engine's jobs). Quartz reads
/// and writes them by these exact names and columns, and checks them when it starts (a
/// Quartz upgrade that adds a column needs a migration that adds it). Times are ticks.
/// </summary>
internal static class QuartzSchema
{
    public const string Create = """
        CREATE TABLE qrtz_job_details (
            sched_name TEXT NOT NULL, job_name TEXT NOT NULL, job_group TEXT NOT NULL, description TEXT NULL,
            job_class_name TEXT NOT NULL, is_durable BOOL NOT NULL, is_nonconcurrent BOOL NOT NULL, is_update_data BOOL NOT NULL,
            requests_recovery BOOL NOT NULL, job_data BYTEA NULL,
            PRIMARY KEY (sched_name, job_name, job_group));

        CREATE TABLE qrtz_triggers (
            sched_name TEXT NOT NULL, trigger_name TEXT NOT NULL, trigger_group TEXT NOT NULL, job_name TEXT NOT NULL,
            job_group TEXT NOT NULL, description TEXT NULL, next_fire_time BIGINT NULL, prev_fire_time BIGINT NULL,
            priority INTEGER NULL, trigger_state TEXT NOT NULL, trigger_type TEXT NOT NULL, start_time BIGINT NOT NULL,
            end_time BIGINT NULL, calendar_name TEXT NULL, misfire_instr SMALLINT NULL, misfire_orig_fire_time BIGINT NULL,
            execution_group VARCHAR(200) NULL, preferred_node VARCHAR(200) NULL, preferred_node_auto BOOL NOT NULL DEFAULT FALSE,
            retry_policy VARCHAR(250) NULL, retry_attempt INTEGER NULL,
            continues_trigger_name TEXT NULL, continues_trigger_group TEXT NULL, continuation_condition INTEGER NULL,
            overlap_policy INTEGER NULL, pause_reason VARCHAR(250) NULL, paused_by VARCHAR(200) NULL, paused_at BIGINT NULL,
            misfire_threshold BIGINT NULL, fixed_delay BOOL NULL, job_data BYTEA NULL,
            PRIMARY KEY (sched_name, trigger_name, trigger_group),
            FOREIGN KEY (sched_name, job_name, job_group) REFERENCES qrtz_job_details (sched_name, job_name, job_group));

        CREATE TABLE qrtz_simple_triggers (
            sched_name TEXT NOT NULL, trigger_name TEXT NOT NULL, trigger_group TEXT NOT NULL,
            repeat_count BIGINT NOT NULL, repeat_interval BIGINT NOT NULL, times_triggered BIGINT NOT NULL,
            PRIMARY KEY (sched_name, trigger_name, trigger_group),
            FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE);

        CREATE TABLE qrtz_cron_triggers (
            sched_name TEXT NOT NULL, trigger_name TEXT NOT NULL, trigger_group TEXT NOT NULL,
            cron_expression TEXT NOT NULL, time_zone_id TEXT,
            PRIMARY KEY (sched_name, trigger_name, trigger_group),
            FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE);

        CREATE TABLE qrtz_simprop_triggers (
            sched_name TEXT NOT NULL, trigger_name TEXT NOT NULL, trigger_group TEXT NOT NULL,
            str_prop_1 TEXT NULL, str_prop_2 TEXT NULL, str_prop_3 TEXT NULL, int_prop_1 INTEGER NULL, int_prop_2 INTEGER NULL,
            long_prop_1 BIGINT NULL, long_prop_2 BIGINT NULL, dec_prop_1 NUMERIC NULL, dec_prop_2 NUMERIC NULL,
            bool_prop_1 BOOL NULL, bool_prop_2 BOOL NULL, time_zone_id TEXT NULL,
            PRIMARY KEY (sched_name, trigger_name, trigger_group),
            FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE);

        CREATE TABLE qrtz_blob_triggers (
            sched_name TEXT NOT NULL, trigger_name TEXT NOT NULL, trigger_group TEXT NOT NULL, blob_data BYTEA NULL,
            PRIMARY KEY (sched_name, trigger_name, trigger_group),
            FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE);

        CREATE TABLE qrtz_calendars (
            sched_name TEXT NOT NULL, calendar_name TEXT NOT NULL, calendar BYTEA NOT NULL,
            PRIMARY KEY (sched_name, calendar_name));

        CREATE TABLE qrtz_paused_trigger_grps (
            sched_name TEXT NOT NULL, trigger_group TEXT NOT NULL,
            pause_reason VARCHAR(250) NULL, paused_by VARCHAR(200) NULL, paused_at BIGINT NULL,
            PRIMARY KEY (sched_name, trigger_group));

        CREATE TABLE qrtz_paused_job_grps (
            sched_name TEXT NOT NULL, job_group TEXT NOT NULL,
            pause_reason VARCHAR(250) NULL, paused_by VARCHAR(200) NULL, paused_at BIGINT NULL,
            PRIMARY KEY (sched_name, job_group));

        CREATE TABLE qrtz_fired_triggers (
            sched_name TEXT NOT NULL, entry_id TEXT NOT NULL, trigger_name TEXT NOT NULL, trigger_group TEXT NOT NULL,
            instance_name TEXT NOT NULL, fired_time BIGINT NOT NULL, sched_time BIGINT NOT NULL, priority INTEGER NOT NULL,
            state TEXT NOT NULL, job_name TEXT NULL, job_group TEXT NULL, is_nonconcurrent BOOL NOT NULL,
            requests_recovery BOOL NULL, execution_group VARCHAR(200) NULL,
            progress INTEGER NULL, progress_message VARCHAR(250) NULL, interrupt_requested_time BIGINT NULL,
            PRIMARY KEY (sched_name, entry_id));

        CREATE TABLE qrtz_scheduler_state (
            sched_name TEXT NOT NULL, instance_name TEXT NOT NULL, last_checkin_time BIGINT NOT NULL, checkin_interval BIGINT NOT NULL,
            quartz_version VARCHAR(20) NULL,
            PRIMARY KEY (sched_name, instance_name));

        CREATE TABLE qrtz_locks (
            sched_name TEXT NOT NULL, lock_name TEXT NOT NULL,
            PRIMARY KEY (sched_name, lock_name));

        CREATE TABLE qrtz_execution_history (
            sched_name TEXT NOT NULL, entry_id TEXT NOT NULL, instance_name TEXT NOT NULL, job_name TEXT NOT NULL,
            job_group TEXT NOT NULL, trigger_name TEXT NOT NULL, trigger_group TEXT NOT NULL, fired_time BIGINT NOT NULL,
            run_time BIGINT NOT NULL, succeeded BOOL NOT NULL, error_message TEXT NULL,
            retry_attempt INTEGER NOT NULL DEFAULT 0, retry_scheduled BOOL NOT NULL DEFAULT FALSE, execution_log TEXT NULL,
            result INTEGER NULL, summary TEXT NULL, metrics TEXT NULL, manual BOOL NULL, fire_instance_id TEXT NULL,
            job_input TEXT NULL, job_input_too_large BOOL NULL,
            PRIMARY KEY (sched_name, entry_id));

        CREATE TABLE qrtz_misfire_history (
            sched_name TEXT NOT NULL, entry_id TEXT NOT NULL, instance_name TEXT NOT NULL, trigger_name TEXT NOT NULL,
            trigger_group TEXT NOT NULL, job_name TEXT NULL, job_group TEXT NULL, misfire_time BIGINT NOT NULL,
            sched_time BIGINT NULL, reason INTEGER NULL,
            PRIMARY KEY (sched_name, entry_id));

        CREATE TABLE qrtz_job_status (
            sched_name TEXT NOT NULL, job_group TEXT NOT NULL, job_name TEXT NOT NULL,
            first_fired_time BIGINT NOT NULL, last_fired_time BIGINT NOT NULL, last_result INTEGER NOT NULL,
            last_run_time BIGINT NOT NULL, last_instance_name TEXT NOT NULL, last_entry_id TEXT NULL, last_summary TEXT NULL,
            last_success_time BIGINT NULL, last_failure_time BIGINT NULL, last_failure_message TEXT NULL,
            consecutive_failures INTEGER NOT NULL DEFAULT 0, run_count BIGINT NOT NULL DEFAULT 0, failure_count BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (sched_name, job_group, job_name));

        CREATE INDEX idx_qrtz_j_g_n ON qrtz_job_details (sched_name, job_group, job_name);
        CREATE INDEX idx_qrtz_t_j ON qrtz_triggers (sched_name, job_name, job_group);
        CREATE INDEX idx_qrtz_t_g_n ON qrtz_triggers (sched_name, trigger_group, trigger_name);
        CREATE INDEX idx_qrtz_t_c ON qrtz_triggers (sched_name, calendar_name);
        CREATE INDEX idx_qrtz_t_nft_st ON qrtz_triggers (sched_name, trigger_state, next_fire_time ASC, priority DESC, misfire_instr);
        CREATE INDEX idx_qrtz_ft_inst_job_req_rcvry ON qrtz_fired_triggers (sched_name, instance_name, requests_recovery);
        CREATE INDEX idx_qrtz_ft_j_g ON qrtz_fired_triggers (sched_name, job_name, job_group);
        CREATE INDEX idx_qrtz_ft_t_g ON qrtz_fired_triggers (sched_name, trigger_name, trigger_group);
        CREATE INDEX idx_qrtz_eh_fired_time ON qrtz_execution_history (sched_name, fired_time);
        CREATE INDEX idx_qrtz_eh_inst ON qrtz_execution_history (sched_name, instance_name);
        CREATE INDEX idx_qrtz_eh_job_time ON qrtz_execution_history (sched_name, job_group, job_name, fired_time);
        CREATE INDEX idx_qrtz_eh_fire_inst ON qrtz_execution_history (sched_name, fire_instance_id);
        CREATE INDEX idx_qrtz_eh_trig_time ON qrtz_execution_history (sched_name, trigger_group, trigger_name, fired_time);
        CREATE INDEX idx_qrtz_mh_misfire_time ON qrtz_misfire_history (sched_name, misfire_time);
        CREATE INDEX idx_qrtz_mh_inst ON qrtz_misfire_history (sched_name, instance_name);
        """;

    public const string Drop = """
        DROP TABLE qrtz_job_status, qrtz_misfire_history, qrtz_execution_history, qrtz_fired_triggers, qrtz_paused_job_grps,
            qrtz_paused_trigger_grps, qrtz_scheduler_state, qrtz_locks, qrtz_simprop_triggers, qrtz_simple_triggers,
            qrtz_cron_triggers, qrtz_blob_triggers, qrtz_triggers, qrtz_job_details, qrtz_calendars;
        """;
}
