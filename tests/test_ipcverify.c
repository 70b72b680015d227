/* The client's rule for trusting an endpoint's server (both platforms). */
#include <criterion/criterion.h>

#include "err.h"
#include "ipcverify.h"

Test(ipcverify, system_endpoint_needs_a_system_owner)
{
    struct ipc_client_opts o = {IPC_EXPECT_SYSTEM, 0};

    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SYSTEM, 100), 0);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SELF, 100), ERR_UNTRUSTED,
                 "a user squatting on the system name is refused");
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_ADMINS, 100), ERR_UNTRUSTED);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_OTHER, 100), ERR_UNTRUSTED);
}

Test(ipcverify, the_service_process_must_match_when_known)
{
    struct ipc_client_opts o = {IPC_EXPECT_SYSTEM, 4242};

    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SYSTEM, 4242), 0);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SYSTEM, 4243), ERR_UNTRUSTED,
                 "another SYSTEM process is not the service");
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SYSTEM, 0), ERR_UNTRUSTED,
                 "a server process that cannot be named is not the service");
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_OTHER, 0), ERR_UNTRUSTED);
}

Test(ipcverify, own_endpoint_accepts_self_admins_or_system)
{
    struct ipc_client_opts o = {IPC_EXPECT_SELF_OR_SYSTEM, 0};

    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SELF, 1), 0);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_ADMINS, 1), 0);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SYSTEM, 1), 0);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_OTHER, 1), ERR_UNTRUSTED,
                 "another user's server is refused");
}

Test(ipcverify, no_expectation_no_check)
{
    struct ipc_client_opts o = {IPC_EXPECT_ANY, 99};

    cr_assert_eq(ipc_verify(&o, IPC_OWNER_OTHER, 1), 0);
    cr_assert_eq(ipc_verify(NULL, IPC_OWNER_OTHER, 1), 0);
}
