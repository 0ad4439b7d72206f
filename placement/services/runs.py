def execute_run(run_id: int) -> bool:
    raise NotImplementedError
